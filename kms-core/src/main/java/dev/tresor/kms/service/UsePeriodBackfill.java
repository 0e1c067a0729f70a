package dev.tresor.kms.service;

import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyService;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.TenantId;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The system pass that gives key versions stored before the core kept use periods the period
 * their front-end attributes hold, read by the front-end's function (the core does not decode
 * them). Like the purger it is neither counted nor audited for its reads; each version it gives
 * a period is written with its own record by {@value #PRINCIPAL}, naming the dates. A version
 * that has a period keeps it. A key that fails is logged and skipped; the pass stops when
 * sealed. Once a pass went over every key without a failure, a marker in the store makes later
 * passes do nothing.
 */
final class UsePeriodBackfill {
    static final String PRINCIPAL = "system:use-periods";
    static final String OPERATION = "key.dates-backfilled";
    private static final String DONE = "sys/pass/use-periods-backfilled";
    private static final Logger LOG = Logger.getLogger(UsePeriodBackfill.class.getName());

    private final BarrierStore barrier;
    private final KeyService keys;
    private final Projects projects;
    private final AuditLog audit;
    private final Clock clock;

    UsePeriodBackfill(BarrierStore barrier, KeyService keys, Projects projects, AuditLog audit, Clock clock) {
        this.barrier = barrier;
        this.keys = keys;
        this.projects = projects;
        this.audit = audit;
        this.clock = clock;
    }

    /** One pass, unless one already went over every key; answers how many versions got a period. */
    int run(Function<Key, Map<Long, UsePeriod>> stored) {
        if (barrier.get(DONE).isPresent()) {
            return 0;
        }
        int written = 0;
        int failed = 0;
        for (var project : projects.list()) {
            for (String region : Regions.ALL) {
                TenantId tenant = new TenantId(project.id(), region);
                for (Key key : keys.listAllKeys(tenant)) {
                    try {
                        written += keys.fillUsePeriods(tenant, key.id(), stored, this::commit).size();
                    } catch (RuntimeException e) {
                        if (e instanceof KmsError error && error.code() == ErrorCode.SEALED) {
                            LOG.warning("sealed while giving stored keys their use periods; the next unseal goes on");
                            return written;
                        }
                        failed++;
                        LOG.log(Level.WARNING, "could not give key " + key.id() + " of " + tenant.path()
                                + " the use periods of its stored attributes; the next start or unseal tries again", e);
                    }
                }
            }
        }
        if (failed == 0) {
            BarrierStore.Batch done = barrier.batch().put(DONE,
                    clock.instant().toString().getBytes(StandardCharsets.UTF_8));
            barrier.write(done);
        }
        LOG.info("gave " + written + " key versions the use periods of their stored attributes; "
                + (failed == 0 ? "done, later starts skip this" : failed + " keys failed"));
        return written;
    }

    private Consumer<BarrierStore.Batch> commit(TenantId tenant, Key key, long version) {
        UsePeriod period = key.usePeriod(version);
        AuditEvent event = new AuditEvent(clock.instant(), PRINCIPAL, tenant.path(), OPERATION,
                "keyrings/" + key.keyRingId() + "/keys/" + key.id() + "/versions/" + version, AuditEvent.OK,
                Map.of("protectStop", date(period.protectStop()), "processStart", date(period.processStart())));
        return batch -> audit.record(event, batch);
    }

    private static String date(Optional<Instant> date) {
        return date.map(Instant::toString).orElse("none");
    }
}
