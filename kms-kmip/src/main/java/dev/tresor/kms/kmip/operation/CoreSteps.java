package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.LifecycleStep;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The core's lifecycle steps a KMIP save may make ({@code possible}, the rights the caller's role
 * needs), and the one it makes of its key object as changed ({@code chosen}; empty: none).
 */
record CoreSteps(Set<LifecycleStep> possible, Function<KmipObject, Optional<LifecycleStep>> chosen) {
    /** A save that makes no lifecycle step of the core's. */
    static final CoreSteps NONE = new CoreSteps(Set.of(), object -> Optional.empty());

    CoreSteps {
        possible = Set.copyOf(possible);
    }
}
