package dev.tresor.kms.audit;

import dev.tresor.kms.service.ErrorCode;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One call as the audit log records it: who, in which tenant, did what to which resource, with
 * what result. Never plaintext or key material: {@code details} holds small facts only
 * (an attestation type, a count), which the limits below keep small.
 *
 * @param tenant    {@code project/region}, or {@code "-"} for calls above any project
 * @param operation e.g. {@code key.create}
 * @param resource  e.g. {@code keyrings/R/keys/K/versions/2}; may be empty
 * @param result    {@code "ok"} or the {@link ErrorCode} name of the failure
 */
public record AuditEvent(Instant time, String principal, String tenant, String operation, String resource,
                         String result, Map<String, String> details) {
    public static final String OK = "ok";
    public static final String OPERATOR_TENANT = "-";
    static final int MAX_DETAILS = 16;
    static final int MAX_DETAIL_KEY = 64;
    static final int MAX_DETAIL_VALUE = 256;
    static final int MAX_FIELD = 1024;

    public AuditEvent {
        Objects.requireNonNull(time, "time");
        checkField("principal", principal);
        checkField("operation", operation);
        checkField("resource", resource);
        checkTenant(tenant);
        checkResult(result);
        details = checkedDetails(details);
    }

    /** The tenant's records form their own chain; only {@code -} or {@code project/region} may name one. */
    static void checkTenant(String tenant) {
        checkField("tenant", tenant);
        int slash = tenant.indexOf('/');
        boolean projectRegion = slash > 0 && slash < tenant.length() - 1 && tenant.indexOf('/', slash + 1) < 0;
        if (!tenant.equals(OPERATOR_TENANT) && !projectRegion) {
            throw new IllegalArgumentException("an audit tenant is \"-\" or \"project/region\", not \"" + tenant + "\"");
        }
    }

    private static void checkResult(String result) {
        Objects.requireNonNull(result, "result");
        if (!result.equals(OK) && Arrays.stream(ErrorCode.values()).noneMatch(code -> code.name().equals(result))) {
            throw new IllegalArgumentException("an audit result is \"ok\" or an ErrorCode name, not \"" + result + "\"");
        }
    }

    private static void checkField(String name, String value) {
        Objects.requireNonNull(value, name);
        if (value.length() > MAX_FIELD) {
            throw new IllegalArgumentException("audit " + name + " is longer than " + MAX_FIELD + " characters");
        }
    }

    /**
     * A sorted, unmodifiable copy: the canonical hash encoding walks the details in key order. At
     * most one detail is in order already, and {@link Map#copyOf} keeps such a map, made here
     * before, as it is, so an event rebuilt from another with at most one detail copies nothing.
     */
    static Map<String, String> checkedDetails(Map<String, String> details) {
        Objects.requireNonNull(details, "details");
        if (details.size() > MAX_DETAILS) {
            throw new IllegalArgumentException("an audit event has at most " + MAX_DETAILS + " details");
        }
        details.forEach((key, value) -> {
            if (key == null || value == null || key.isEmpty() || key.length() > MAX_DETAIL_KEY
                    || value.length() > MAX_DETAIL_VALUE) {
                throw new IllegalArgumentException("audit detail keys are 1.." + MAX_DETAIL_KEY
                        + " characters and values at most " + MAX_DETAIL_VALUE);
            }
        });
        return details.size() <= 1 ? Map.copyOf(details) : Collections.unmodifiableMap(new TreeMap<>(details));
    }
}
