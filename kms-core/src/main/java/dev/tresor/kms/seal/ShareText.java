package dev.tresor.kms.seal;

import dev.tresor.kms.service.KmsError;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The text form of an unseal share, {@code tresor-share-v1:<index>:<base64url(value ‖ check)>},
 * where {@code check} is the first 4 bytes of SHA-256 over the prefix, index and value: a share
 * mistyped or cut while copying is refused at once instead of spoiling the reconstruction.
 */
final class ShareText {
    private static final String PREFIX = "tresor-share-v1";
    private static final int CHECK_BYTES = 4;
    private static final int MAX_LENGTH = 200;

    private ShareText() {
    }

    static String encode(Shamir.Share share) {
        byte[] value = share.value();
        byte[] body = Arrays.copyOf(value, value.length + CHECK_BYTES);
        System.arraycopy(check(share.index(), value), 0, body, value.length, CHECK_BYTES);
        String text = PREFIX + ":" + share.index() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(body);
        Arrays.fill(value, (byte) 0);
        Arrays.fill(body, (byte) 0);
        return text;
    }

    static Shamir.Share decode(String text, int valueBytes) {
        if (text == null || text.length() > MAX_LENGTH) {
            throw malformed();
        }
        String[] parts = text.strip().split(":", -1);
        if (parts.length != 3 || !parts[0].equals(PREFIX) || !parts[1].matches("[1-9][0-9]{0,2}")) {
            throw malformed();
        }
        int index = Integer.parseInt(parts[1]);
        byte[] body;
        try {
            body = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        if (index > Shamir.MAX_SHARES || body.length != valueBytes + CHECK_BYTES) {
            throw malformed();
        }
        byte[] value = Arrays.copyOf(body, valueBytes);
        byte[] expected = Arrays.copyOf(check(index, value), CHECK_BYTES);
        boolean intact = MessageDigest.isEqual(expected, Arrays.copyOfRange(body, valueBytes, body.length));
        Arrays.fill(body, (byte) 0);
        if (!intact) {
            Arrays.fill(value, (byte) 0);
            throw malformed();
        }
        Shamir.Share share = new Shamir.Share(index, value);
        Arrays.fill(value, (byte) 0);
        return share;
    }

    private static byte[] check(int index, byte[] value) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(PREFIX.getBytes(StandardCharsets.US_ASCII));
            sha256.update((byte) index);
            return sha256.digest(value);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static KmsError malformed() {
        return KmsError.invalid("malformed unseal share: expected " + PREFIX + ":<index>:<data> exactly as init printed it");
    }
}
