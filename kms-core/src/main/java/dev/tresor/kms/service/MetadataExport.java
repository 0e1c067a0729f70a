package dev.tresor.kms.service;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.KeyVersion;
import dev.tresor.kms.key.WrappingKey;
import java.time.Instant;
import java.util.List;

/**
 * Everything needed to rebuild a KMS instance's key architecture elsewhere (no material):
 * counts, and every key ring with its keys, their versions, and its wrapping keys.
 */
public record MetadataExport(String projectId, String regionId, Instant exportedAt, Counts counts, List<RingExport> keyRings) {
    public MetadataExport {
        keyRings = List.copyOf(keyRings);
    }

    public record Counts(int keyRings, int keys, int versions, int wrappingKeys) {
    }

    public record RingExport(KeyRing keyRing, List<KeyExport> keys, List<WrappingKey> wrappingKeys) {
        public RingExport {
            keys = List.copyOf(keys);
            wrappingKeys = List.copyOf(wrappingKeys);
        }
    }

    public record KeyExport(Key key, List<KeyVersion> versions) {
        public KeyExport {
            versions = List.copyOf(versions);
        }
    }
}
