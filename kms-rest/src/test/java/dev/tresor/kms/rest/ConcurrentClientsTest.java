package dev.tresor.kms.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sixteen clients at once on one key: most encrypt and decrypt, some rotate. No rotation is lost
 * (the versions are exactly 1..1+rotations, each number handed out once), and every ciphertext
 * decrypts to its own plaintext at its version, during the run and after it.
 */
class ConcurrentClientsTest {
    private static final int CLIENTS = 16;
    private static final int ROUNDS = 12;

    @RegisterExtension
    static final RestTestServer server = new RestTestServer();

    /** A ciphertext made during the run, with what it must decrypt to. */
    private record Sealed(long version, byte[] plaintext, String ciphertext) {
    }

    @Test
    void encryptingAndRotatingClientsLoseNothing() throws Exception {
        ProjectApi api = server.newProjectApi();
        String ring = api.createRing("concurrency");
        String key = api.createAesKey(ring);
        List<Long> rotations = Collections.synchronizedList(new ArrayList<>());
        List<Sealed> sealed = Collections.synchronizedList(new ArrayList<>());

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<Void>> clients = new ArrayList<>();
        for (int c = 0; c < CLIENTS; c++) {
            boolean rotator = c % 4 == 0;
            Random random = new Random(c);
            clients.add(pool.submit((Callable<Void>) () -> {
                for (int round = 0; round < ROUNDS; round++) {
                    if (rotator && round % 3 == 0) {
                        rotations.add(ProjectApi.expect(202, api.post(api.key(ring, key) + "/rotate", null)).getLong("number"));
                    }
                    long version = 1 + random.nextInt(rotations.size() + 1);
                    byte[] plaintext = new byte[1 + random.nextInt(2048)];
                    random.nextBytes(plaintext);
                    String ciphertext = api.encrypt(ring, key, version, plaintext);
                    assertTrue(Arrays.equals(plaintext, api.decrypt(ring, key, version, ciphertext)));
                    sealed.add(new Sealed(version, plaintext, ciphertext));
                }
                return null;
            }));
        }
        for (Future<Void> client : clients) {
            client.get();
        }
        pool.shutdown();

        List<Long> expected = LongStream.rangeClosed(2, 1 + rotations.size()).boxed().toList();
        assertEquals(expected, rotations.stream().sorted().toList());
        JsonObject versions = ProjectApi.expect(200, api.get(api.key(ring, key) + "/versions"));
        assertEquals(1 + rotations.size(), versions.getJsonArray("versions").size());
        assertEquals(CLIENTS * ROUNDS, sealed.size());
        for (Sealed s : sealed) {
            assertTrue(Arrays.equals(s.plaintext(), api.decrypt(ring, key, s.version(), s.ciphertext())));
        }
    }
}
