package dev.tresor.kms.attest;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SNP extended-report certificate table (configfs-tsm {@code auxblob}): 24-byte entries of
 * GUID ‖ offset (LE u32) ‖ length (LE u32), ended by an all-zero entry, then the DER certificates.
 */
public final class SnpCertTable {
    public static final UUID VCEK = UUID.fromString("63da758d-e664-4564-adc5-f4b93be8accd");
    public static final UUID ASK = UUID.fromString("4ab7b379-bbac-4fe4-a02f-05aef327c782");
    public static final UUID ARK = UUID.fromString("c0b406a4-a803-4952-9743-3fb6014cd0ae");
    private static final int ENTRY = 24;
    private static final int MAX_ENTRIES = 16;

    private SnpCertTable() {
    }

    /** Every certificate in the table, whatever its GUID; they are chain candidates only. */
    public static List<X509Certificate> parse(byte[] table) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (int entry = 0; ; entry++) {
            if (entry >= MAX_ENTRIES) {
                throw Reason.MALFORMED.error("certificate table has more than " + MAX_ENTRIES + " entries");
            }
            WireReader in = WireReader.littleEndian(table, entry * ENTRY, "certificate table");
            byte[] guid = in.bytes(16);
            long offset = in.u32();
            long length = in.u32();
            if (Arrays.equals(guid, new byte[16]) && offset == 0 && length == 0) {
                return certificates;
            }
            if (offset > table.length || length > table.length - offset) {
                throw Reason.MALFORMED.error("certificate table entry " + entry + " points outside the table");
            }
            certificates.add(Certificates.parseOne(Arrays.copyOfRange(table, (int) offset, (int) (offset + length))));
        }
    }

    /** Builds a table from certificates keyed by GUID, in the given order. */
    public static byte[] build(Map<UUID, X509Certificate> certificates) {
        try {
            int header = (certificates.size() + 1) * ENTRY;
            List<byte[]> ders = new ArrayList<>();
            for (X509Certificate certificate : certificates.values()) {
                ders.add(certificate.getEncoded());
            }
            int total = header + ders.stream().mapToInt(d -> d.length).sum();
            byte[] out = new byte[total];
            int offset = header;
            int entry = 0;
            for (Map.Entry<UUID, X509Certificate> item : certificates.entrySet()) {
                byte[] der = ders.get(entry);
                System.arraycopy(guidBytes(item.getKey()), 0, out, entry * ENTRY, 16);
                putLe32(out, entry * ENTRY + 16, offset);
                putLe32(out, entry * ENTRY + 20, der.length);
                System.arraycopy(der, 0, out, offset, der.length);
                offset += der.length;
                entry++;
            }
            return out;
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** GUIDs are written in the mixed-endian layout of EFI_GUID (first three fields little-endian). */
    private static byte[] guidBytes(UUID uuid) {
        byte[] big = HexFormat.of().parseHex(uuid.toString().replace("-", ""));
        byte[] out = big.clone();
        for (int[] field : new int[][] {{0, 4}, {4, 2}, {6, 2}}) {
            for (int i = 0; i < field[1]; i++) {
                out[field[0] + i] = big[field[0] + field[1] - 1 - i];
            }
        }
        return out;
    }

    private static void putLe32(byte[] out, int at, int value) {
        for (int i = 0; i < 4; i++) {
            out[at + i] = (byte) (value >>> (8 * i));
        }
    }
}
