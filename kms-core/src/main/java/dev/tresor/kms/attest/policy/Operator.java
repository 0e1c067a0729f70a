package dev.tresor.kms.attest.policy;

import java.util.Arrays;
import java.util.Optional;

/** Condition operators, with Azure SKR's names plus {@code in}. */
public enum Operator {
    EQUALS("equals"), NOT_EQUALS("notEquals"), IN("in"), LESS("less"), LESS_OR_EQUALS("lessOrEquals"),
    GREATER("greater"), GREATER_OR_EQUALS("greaterOrEquals"), EXISTS("exists");

    private final String jsonName;

    Operator(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    static Optional<Operator> of(String name) {
        return Arrays.stream(values()).filter(o -> o.jsonName.equals(name)).findFirst();
    }

    boolean ordered() {
        return this == LESS || this == LESS_OR_EQUALS || this == GREATER || this == GREATER_OR_EQUALS;
    }
}
