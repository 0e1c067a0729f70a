package dev.tresor.kms.attest;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** One quote as evidence carries it: the TPMS_ATTEST bytes, its signature and the PCR values claimed. */
final class TpmQuote {
    private final byte[] attest;
    private final TpmSignature signature;
    private final Map<TpmAlgorithm, Map<Integer, byte[]>> pcrs;

    TpmQuote(byte[] attest, TpmSignature signature, Map<TpmAlgorithm, Map<Integer, byte[]>> pcrs) {
        this.attest = attest.clone();
        this.signature = signature;
        this.pcrs = pcrs;
    }

    /** A quote whose PCR list covers the one bank the quote selects, index 0 first. */
    static TpmQuote ofSingleBank(byte[] attest, TpmSignature signature, List<byte[]> values) {
        TpmAttest parsed = TpmAttest.parse(attest);
        if (parsed.selections().size() != 1) {
            throw Reason.MALFORMED.error("a PCR list needs a quote over exactly one bank");
        }
        Map<Integer, byte[]> bank = new TreeMap<>();
        for (int i = 0; i < values.size(); i++) {
            bank.put(i, values.get(i));
        }
        return new TpmQuote(attest, signature, Map.of(parsed.selections().get(0).hash(), bank));
    }

    byte[] attest() {
        return attest.clone();
    }

    TpmSignature signature() {
        return signature;
    }

    Map<TpmAlgorithm, Map<Integer, byte[]>> pcrs() {
        return pcrs;
    }
}
