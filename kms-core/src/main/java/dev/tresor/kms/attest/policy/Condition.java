package dev.tresor.kms.attest.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** A node of a parsed release policy; {@code path} locates it in the JSON, e.g. {@code allOf[2]}. */
public sealed interface Condition {

    String path();

    /** {@code {"claim": name, op: value}}; {@code value} is a String, Long, Boolean or (for in) a List of them. */
    record ClaimCondition(String path, String claim, Operator operator, Object value) implements Condition {
        public ClaimCondition {
            Objects.requireNonNull(path);
            Objects.requireNonNull(claim);
            Objects.requireNonNull(operator);
            Objects.requireNonNull(value);
            if (value instanceof List<?> list) {
                value = List.copyOf(list);
            }
        }
    }

    /** {@code {["authority": id,] "allOf"|"anyOf": [...]}}. */
    record Group(String path, Optional<String> authority, boolean all, List<Condition> conditions)
            implements Condition {
        public Group {
            Objects.requireNonNull(path);
            Objects.requireNonNull(authority);
            conditions = List.copyOf(conditions);
        }
    }
}
