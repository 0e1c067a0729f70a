package dev.tresor.kms.testing;

import dev.tresor.kms.key.AttributeReplacement;
import dev.tresor.kms.key.LifecycleStep;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.service.CreateKeyRing;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.VersionRef;
import dev.tresor.kms.store.Store;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Role;
import dev.tresor.kms.tenant.TenantId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh {@link TestCore} for each test, in a temporary directory, with a new project, its admin
 * and one key ring named "ring": register it as an instance {@code @RegisterExtension} field; it
 * opens before each test and is closed, its directory deleted, after it.
 */
public final class CoreWithKeyRing implements BeforeEachCallback, AfterEachCallback {
    private final UnaryOperator<Store> around;
    private Path dataDir;
    private TestCore test;
    private Caller admin;
    private String ring;

    public CoreWithKeyRing() {
        this(store -> store);
    }

    /** The same over the store {@code around} makes of the real one, at every open and restart. */
    public CoreWithKeyRing(UnaryOperator<Store> around) {
        this.around = around;
    }

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("tresor-core-test");
        test = TestCore.open(dataDir, around);
        admin = TestCore.caller(test.newProject(), Role.ADMIN);
        ring = kms().createKeyRing(admin, new CreateKeyRing("ring", Optional.empty())).id();
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        try {
            test.close();
        } finally {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    /** The core with its clock; for more projects, callers of other roles, moving time. */
    public TestCore test() {
        return test;
    }

    public KeyManagement kms() {
        return test.core().keyManagement();
    }

    /** An admin of the project. */
    public Caller admin() {
        return admin;
    }

    public TenantId tenant() {
        return admin.tenant();
    }

    /** The id of the project's key ring. */
    public String ring() {
        return ring;
    }

    /**
     * Revokes version {@code ref} as KMIP Revoke does: in a save of its key's attributes, as they
     * are, that carries the revocation ({@link KeyManagement#replaceAttributes}).
     */
    public void revoke(VersionRef ref, LifecycleStep revocation) {
        Map<String, String> attributes = kms().getKey(admin, ref.key()).attributes();
        kms().replaceAttributes(admin, ref.key(), attributes, ref.number(), Set.of(revocation),
                () -> new AttributeReplacement(attributes, UsePeriod.ALWAYS, Optional.of(revocation)));
    }

    /** Closes the core and opens it again on the same data and clock, as a server restart does. */
    public void restart() {
        test.close();
        test = TestCore.open(dataDir, test.clock(), around);
    }
}
