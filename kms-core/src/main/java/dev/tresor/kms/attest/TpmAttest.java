package dev.tresor.kms.attest;

import java.util.ArrayList;
import java.util.List;

/** A TPMS_ATTEST of type TPM_ST_ATTEST_QUOTE (big-endian TPM wire format). */
final class TpmAttest {
    private static final long MAGIC = 0xFF544347L;
    private static final int ATTEST_QUOTE = 0x8018;

    /** One bank of a TPML_PCR_SELECTION: the hash and the selected indexes in ascending order. */
    record Selection(TpmAlgorithm hash, List<Integer> indexes) {
        Selection {
            indexes = List.copyOf(indexes);
        }
    }

    private final byte[] qualifiedSigner;
    private final byte[] extraData;
    private final long clock;
    private final long resetCount;
    private final long restartCount;
    private final long firmwareVersion;
    private final List<Selection> selections;
    private final byte[] pcrDigest;

    private TpmAttest(WireReader in) {
        long magic = in.u32();
        int type = in.u16();
        if (magic != MAGIC || type != ATTEST_QUOTE) {
            throw Reason.MALFORMED.error("TPMS_ATTEST is not a TPM-generated quote");
        }
        qualifiedSigner = in.sized16();
        extraData = in.sized16();
        clock = in.u64();
        resetCount = in.u32();
        restartCount = in.u32();
        in.u8();
        firmwareVersion = in.u64();
        long banks = in.u32();
        if (banks > 16) {
            throw Reason.MALFORMED.error("TPML_PCR_SELECTION has " + banks + " banks");
        }
        selections = new ArrayList<>();
        for (int b = 0; b < banks; b++) {
            int hashId = in.u16();
            TpmAlgorithm hash = TpmAlgorithm.of(hashId)
                    .orElseThrow(() -> Reason.MALFORMED.error("unknown PCR bank 0x" + Integer.toHexString(hashId)));
            byte[] bitmap = in.bytes(in.u8());
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < bitmap.length * 8; i++) {
                if ((bitmap[i / 8] >> (i % 8) & 1) != 0) {
                    indexes.add(i);
                }
            }
            selections.add(new Selection(hash, indexes));
        }
        pcrDigest = in.sized16();
    }

    static TpmAttest parse(byte[] bytes) {
        return new TpmAttest(WireReader.bigEndian(bytes, "TPMS_ATTEST"));
    }

    byte[] qualifiedSigner() {
        return qualifiedSigner.clone();
    }

    byte[] extraData() {
        return extraData.clone();
    }

    long clock() {
        return clock;
    }

    long resetCount() {
        return resetCount;
    }

    long restartCount() {
        return restartCount;
    }

    long firmwareVersion() {
        return firmwareVersion;
    }

    List<Selection> selections() {
        return selections;
    }

    byte[] pcrDigest() {
        return pcrDigest.clone();
    }
}
