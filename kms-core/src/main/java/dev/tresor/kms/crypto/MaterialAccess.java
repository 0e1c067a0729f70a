package dev.tresor.kms.crypto;

import java.util.Set;

/**
 * The token that lets a caller read {@link KeyMaterial} bytes (after Tink's {@code SecretKeyAccess}).
 *
 * <p>Java has no "friend" packages, so the rule "only crypto, seal, the key service, the material
 * cache and the BYOK wrapping keys read raw key bytes" is enforced twice: {@link #obtain()} checks
 * the calling class against the allow-list at run time, and {@code MaterialAccessScopeTest} fails
 * the build when a source file outside the allow-list so much as names this class. Callers obtain
 * the token once and keep it in a field.
 */
public final class MaterialAccess {
    private static final MaterialAccess INSTANCE = new MaterialAccess();
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    static final Set<String> ALLOWED_PACKAGES = Set.of("dev.tresor.kms.crypto", "dev.tresor.kms.seal");
    static final Set<String> ALLOWED_CLASSES = Set.of(
            "dev.tresor.kms.key.KeyService", "dev.tresor.kms.key.MaterialCache", "dev.tresor.kms.key.WrappingKeys");

    private MaterialAccess() {
    }

    /**
     * The token, for a caller on the allow-list.
     *
     * @throws IllegalCallerException when called from any other class
     */
    public static MaterialAccess obtain() {
        Class<?> caller = WALKER.getCallerClass();
        if (!isAllowed(caller.getNestHost().getName(), caller.getPackageName())) {
            throw new IllegalCallerException(caller.getName() + " may not read key material");
        }
        return INSTANCE;
    }

    static boolean isAllowed(String topLevelClassName, String packageName) {
        return ALLOWED_PACKAGES.contains(packageName) || ALLOWED_CLASSES.contains(topLevelClassName);
    }

    @Override
    public String toString() {
        return "MaterialAccess";
    }
}
