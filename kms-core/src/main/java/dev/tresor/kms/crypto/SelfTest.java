package dev.tresor.kms.crypto;

import dev.tresor.kms.key.KeyType;
import dev.tresor.kms.key.Scheme;
import dev.tresor.kms.service.KmsError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Known-answer tests run by {@link Crypto#Crypto()} before the server uses any key: each one
 * drives a real {@link Crypto} path with published vectors (FIPS 197, the GCM specification,
 * RFC 3394, RFC 5649, RFC 4231, FIPS 180, RFC 6979) or, for RSA, a fixed test key whose expected
 * outputs were made with OpenSSL. A failure names every test that failed.
 */
final class SelfTest {
    private static final HexFormat HEX = HexFormat.of();

    /** One known-answer test. */
    sealed interface KnownAnswer {
        String name();

        boolean passes(Crypto crypto);
    }

    record DigestAnswer(String name, String hash, String messageHex, String digestHex) implements KnownAnswer {
        @Override
        public boolean passes(Crypto crypto) {
            return Arrays.equals(crypto.digest(hash, hex(messageHex)), hex(digestHex));
        }
    }

    /** Encrypts with a fixed IV (null: the scheme's default) and expects the ciphertext, then decrypts it back. */
    record CipherAnswer(String name, KeyType type, Scheme scheme, String keyHex, String ivHex, String aadHex,
            String plaintextHex, String ciphertextHex, String tagHex) implements KnownAnswer {
        @Override
        public boolean passes(Crypto crypto) {
            LoadedKey key = crypto.load(type, KeyMaterial.adopt(hex(keyHex)));
            try {
                byte[] iv = ivHex == null ? null : hex(ivHex);
                byte[] aad = aadHex == null ? null : hex(aadHex);
                byte[] tag = tagHex == null ? null : hex(tagHex);
                CipherOutput out = crypto.encrypt(key, scheme, hex(plaintextHex), iv, aad);
                return Arrays.equals(out.ciphertext(), hex(ciphertextHex)) && Arrays.equals(out.tag(), tag)
                        && Arrays.equals(crypto.decrypt(key, scheme, iv, out.ciphertext(), out.tag(), aad), hex(plaintextHex));
            } finally {
                key.destroy();
            }
        }
    }

    record MacAnswer(String name, KeyType type, Scheme scheme, String keyHex, String messageHex, String macHex)
            implements KnownAnswer {
        @Override
        public boolean passes(Crypto crypto) {
            LoadedKey key = crypto.load(type, KeyMaterial.adopt(hex(keyHex)));
            try {
                return Arrays.equals(crypto.sign(key, scheme, hex(messageHex), false), hex(macHex))
                        && crypto.verify(key, scheme, hex(messageHex), false, hex(macHex));
            } finally {
                key.destroy();
            }
        }
    }

    /**
     * Verifies a known signature, refuses it for another message, and signs: a deterministic
     * scheme must reproduce the signature, a randomised one must verify its own.
     */
    record SignatureAnswer(String name, KeyType type, Scheme scheme, String pkcs8Base64, String messageHex,
            String signatureHex, boolean deterministic) implements KnownAnswer {
        @Override
        public boolean passes(Crypto crypto) {
            LoadedKey key = crypto.load(type, KeyMaterial.adopt(Base64.getMimeDecoder().decode(pkcs8Base64)));
            byte[] message = hex(messageHex);
            byte[] other = Arrays.copyOf(message, message.length + 1);
            byte[] known = hex(signatureHex);
            byte[] fresh = crypto.sign(key, scheme, message, false);
            return crypto.verify(key, scheme, message, false, known)
                    && !crypto.verify(key, scheme, other, false, known)
                    && (deterministic ? Arrays.equals(fresh, known) : crypto.verify(key, scheme, message, false, fresh));
        }
    }

    /** Decrypts a known RSA-OAEP ciphertext, then round-trips the plaintext. */
    record OaepAnswer(String name, KeyType type, Scheme scheme, String pkcs8Base64, String ciphertextHex,
            String plaintextHex) implements KnownAnswer {
        @Override
        public boolean passes(Crypto crypto) {
            LoadedKey key = crypto.load(type, KeyMaterial.adopt(Base64.getMimeDecoder().decode(pkcs8Base64)));
            byte[] plaintext = hex(plaintextHex);
            byte[] again = crypto.encrypt(key, scheme, plaintext, null, null).ciphertext();
            return Arrays.equals(crypto.decrypt(key, scheme, null, hex(ciphertextHex), null, null), plaintext)
                    && Arrays.equals(crypto.decrypt(key, scheme, null, again, null, null), plaintext);
        }
    }

    /** The DRBG's health check: two draws differ and neither is all zeros. */
    record RandomAnswer(String name) implements KnownAnswer {
        @Override
        public boolean passes(Crypto crypto) {
            byte[] a = crypto.randomBytes(32);
            byte[] b = crypto.randomBytes(32);
            return !Arrays.equals(a, b) && !Arrays.equals(a, new byte[32]) && !Arrays.equals(b, new byte[32]);
        }
    }

    /** A 2048-bit RSA key that exists only for these tests. */
    private static final String RSA_2048_TEST_KEY = """
            MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCnVLD5Asgign5Dx+khst+EJCBu3vyIQ8zKd1hAVQPSSe8wIiUw
            0PXrNAcJ2pECi7V5xqrJ7L3D9oORvODC+XJBMlK8bJu2KvU3gfgbXSaehPiFwYIYdB4HQejJQ0EM0vux0sUGqJTB3F3lRYItkFNN
            b4EMi1TASWsNq5Uzl9qM5QL4bD4i40HSyAAgdPnD5M0f5EZJgxUn8emsMB1XVIt6Ywann19uaBrwYrowyFeHt1AitfxpnUpA/T27
            PS7LXiKJ4/RGZowT/sDqgZqeLxR2TamVUJsiGsDhzTDckaXGG1ZRkCecfgvE2p7GpRKMkbefVPEJ6uKFXRibaiw8RabnAgMBAAEC
            ggEAHiihjP/3WmDyqPzLBAvdRU/NmK4QDe9KZeOEwHOSMMCqn55H3biL2kySSDBgmnjbyIsKFULaIQu5Qvcr+3hCI4YSa2uX1QmB
            EPQX57auUzvcHx91dzrWfrBeaIf6nXkZbD90y3Ju/VHeiogwok209ev28m/aYp3Y8anPRnFELsh9JRAAEdFa442bp+8Vgrvm/VoQ
            vtuJSsMJqnRKcFNOg+7pphldCvm/CzE4n7bZ2Sj9Q6GHSQ+7tAQGkNzYs/rU9jXtjO70oVFyISAzZwexbH8xCj10bvCx/8PRtMQz
            c2CdMPCgriZeLhCO2XrukB2tB9+4WQ+U9JrYr+yeGIOzIQKBgQDe0k6ccVA8pDfoTP37CgoY8SeVa4wBIpqoMBvzLa0AvZ6fYpRH
            LkKNKnlWjXx43Y1M5NnufKiwd7hElAQALWXpwosQZG9aggd/qTqjIS5AcDPZkVr2dLJVSBHgWujjgk3rdTnXFuAZK3nwgU9D/y0I
            1CrAGZpWL2W5y9azo0QQKwKBgQDAPyUQAzTx1HrIut8qudLdP0W0ZsIbQM3XKyc3rFjwGKEV7l+NBETkcbp+O11Y/HWkTQ6IRyLK
            bPLoOqeuCSFhPbSHO/C+nH9JLMR8DmeMPTkpXQY657oQN7sb9XAO0pT4DCbFwV445YUodjDJ5EDEhQPeZDkC1stNlfwQXrXqNQKB
            gFYadLA1hWj5mHUXE2on1gEPZ1lxJrfllFf7x0EwXFMV8y7qHBxpfuQoDp1orTnTe1/Ea4ah+1m92aH+hJFA+cncGHrsJK+X4afu
            UC9rigDymsavSbRFIgicgfPtjWMlHlEnioNYXp67UzKh9Wx0NgXcXuy+uAon5KpoX34pUArjAoGABbMZjzL5I95P0ZmwuhyOQt74
            WxPc12ABekqePAlRDbU9OWA61vx0am1wwQNTjirV9gwOzT2Gq4e1X+s1Q3Sj17Uzn/rH9W7AW1QHc0IeEctS4YYPhDmQi6CLXJXX
            P6lAn2YE1EIaYAd1/jAa3DF3NhxXdAV2pz3lAyTaN0YHkK0CgYAddDOZ6+EVBhvXfbLd/MMgUNb6A6p54HRmAe+oKuvBweheZdip
            R6leEVWc367vFE0iNIRdGx9V6Z5tColYYP/waZqEOunJnpf+4BuUReslowYPLt63C6pcJGmnh3Z6gYKzQH01C8uyIzg/LVt0q5oQ
            bBxcgioc3K/sQ1HlTJSebQ==""";
    /** Made with OpenSSL: {@code openssl dgst -sha256 -sign} over {@link #RSA_MESSAGE}. */
    private static final String RSA_PKCS1_SHA256_SIGNATURE = """
            7c52593402d7b7d5a28faa4a19f247b148b3806ad81e379ab9fc950ffb25ba0d
            37840752f5272a4daef319660531dd2fc06bcf857777919caf1dfae02e79dece
            1eaf78a78186df3b7190d50130d228b03a82a364f22f38196cd68c68acf76a74
            f5b0f32f130d1ee03684c7ca48e672df511d34a3d98d62270696153a9f56d6dc
            94d89abdd5e065b33a009254887dd3e80992a0cfb96a28f2b5f4dbba431384b1
            0fb60cdaef653775e2e9fb4d722114ba9754dd72b0e3ec511038ac4ff9b40566
            7d23a829f88fe46255d9e6487dd4d0faf1e46fd37781f731ef0ca1053c1a3676
            83525302aa4dde5ce180ff168ef0f1db51b206b54a0fa1675cdf99c2cac58598""";
    /** Made with OpenSSL: {@code pkeyutl -encrypt}, OAEP with SHA-256 and MGF1-SHA-256, of {@link #RSA_MESSAGE}. */
    private static final String RSA_OAEP_SHA256_CIPHERTEXT = """
            1f18f418247ec2ebb7b89fd24aa8fdce3c8f5b480b7a5853a782c191fbc73135
            95dfd3905a66c7d4195098ce42a96dc0c27aa57f5c5257729d5da4f5134e28af
            5e5f7734c13907fb486c6dcda2a940e1fce14f6dd98c26856208ad666b2f2ec5
            5701339d7ecc88c24705ccd8eba617e4af3e3c85080def8e3f886fa69661c1e0
            cce6709952bcef19d1f4cecdd3b2dc57a8744354bdbea129db82082e3ac803eb
            05e8d451d45dc1506ecd720ce27efe26c33d02b247ffb0f79c570099a5f08a38
            f7bdc052bf7d56760ccc410aad65ff73142f7b005749e6825c7ff2336e327a8f
            664167f5e33af43fd3170aaecf6854557838b3b320100b619a2df79753eee044""";
    private static final String RSA_MESSAGE = "547265736f722073656c662d74657374";

    private SelfTest() {
    }

    static List<KnownAnswer> standard() {
        return List.of(
                new RandomAnswer("DRBG health"),
                new DigestAnswer("SHA-1", "SHA-1", "616263", "a9993e364706816aba3e25717850c26c9cd0d89d"),
                new DigestAnswer("SHA-256", "SHA-256", "616263",
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                new DigestAnswer("SHA-384", "SHA-384", "616263", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded163"
                        + "1a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"),
                new DigestAnswer("SHA-512", "SHA-512", "616263", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea2"
                        + "0a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
                new CipherAnswer("AES-256 ECB (FIPS 197 C.3)", KeyType.AES_256, Scheme.AES_ECB_NO_PADDING,
                        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", null, null,
                        "00112233445566778899aabbccddeeff", "8ea2b7ca516745bfeafc49904b496089", null),
                new CipherAnswer("AES-256-GCM (GCM spec test case 16)", KeyType.AES_256, Scheme.AES_GCM,
                        "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
                        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
                        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
                                + "49a6b525b16aedf5aa0de657ba637b39",
                        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
                                + "56828838c5f61e6393ba7a0abcc9f662",
                        "76fc6ece0f4e1768cddf8853bb2d551b"),
                new CipherAnswer("AES key wrap (RFC 3394 4.6)", KeyType.AES_256, Scheme.AES_KEY_WRAP,
                        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", null, null,
                        "00112233445566778899aabbccddeeff000102030405060708090a0b0c0d0e0f",
                        "28c9f404c4b810f4cbccb35cfb87f8263f5786e2d80ed326cbc7f0e71a99f43bfb988b9b7a02dd21", null),
                new CipherAnswer("AES key wrap with padding (RFC 5649 6)", KeyType.AES_192, Scheme.AES_KEY_WRAP_PAD,
                        "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8", null, null,
                        "c37b7e6492584340bed12207808941155068f738",
                        "138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a", null),
                new CipherAnswer("ChaCha20 (RFC 8439 A.1 1)", KeyType.CHACHA20, Scheme.CHACHA20, "00".repeat(32),
                        "00".repeat(12), null, "00".repeat(64),
                        "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
                                + "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586", null),
                new CipherAnswer("ChaCha20-Poly1305 (RFC 8439 2.8.2)", KeyType.CHACHA20_POLY1305, Scheme.CHACHA20_POLY1305,
                        "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f", "070000004041424344454647",
                        "50515253c0c1c2c3c4c5c6c7",
                        "4c616469657320616e642047656e746c656d656e206f662074686520636c617373206f66202739393a2049662049"
                                + "20636f756c64206f6666657220796f75206f6e6c79206f6e652074697020666f7220746865206675747572"
                                + "652c2073756e73637265656e20776f756c642062652069742e",
                        "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92"
                                + "728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad6759455"
                                + "85808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116",
                        "1ae10b594f09e26a7e902ecbd0600691"),
                new MacAnswer("HMAC-SHA-256 (RFC 4231 1)", KeyType.HMAC_SHA256, Scheme.HMAC_SHA256,
                        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
                        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
                new MacAnswer("HMAC-SHA-384 (RFC 4231 1)", KeyType.HMAC_SHA384, Scheme.HMAC_SHA384,
                        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
                        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6"),
                new MacAnswer("HMAC-SHA-512 (RFC 4231 1)", KeyType.HMAC_SHA512, Scheme.HMAC_SHA512,
                        "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265",
                        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                                + "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"),
                new SignatureAnswer("ECDSA P-256 SHA-256 (RFC 6979 A.2.5)", KeyType.EC_P256, Scheme.ECDSA_SHA256,
                        "MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCDJr6nYRbp1FmtcIVdnsdaTTlDD2zbomxJ7imIrEg9nIQ==",
                        "73616d706c65",
                        "3046022100efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716"
                                + "022100f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8", false),
                new SignatureAnswer("RSA-2048 PKCS#1 v1.5 SHA-256", KeyType.RSA_2048, Scheme.RSA_PKCS1_SHA256,
                        RSA_2048_TEST_KEY, RSA_MESSAGE, RSA_PKCS1_SHA256_SIGNATURE, true),
                new OaepAnswer("RSA-2048 OAEP SHA-256", KeyType.RSA_2048, Scheme.RSA_OAEP_SHA256, RSA_2048_TEST_KEY,
                        RSA_OAEP_SHA256_CIPHERTEXT, RSA_MESSAGE));
    }

    /**
     * Runs every answer; an exception counts as a failure.
     *
     * @throws KmsError INTERNAL naming each failed test
     */
    static void run(Crypto crypto, List<KnownAnswer> answers) {
        List<String> failed = new ArrayList<>();
        for (KnownAnswer answer : answers) {
            boolean passed;
            try {
                passed = answer.passes(crypto);
            } catch (RuntimeException e) {
                passed = false;
            }
            if (!passed) {
                failed.add(answer.name());
            }
        }
        if (!failed.isEmpty()) {
            throw KmsError.internal("crypto self-test failed: " + String.join(", ", failed), null);
        }
    }

    private static byte[] hex(String hex) {
        return HEX.parseHex(hex.replaceAll("\\s", ""));
    }
}
