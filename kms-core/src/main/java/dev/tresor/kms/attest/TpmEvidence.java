package dev.tresor.kms.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tresor.kms.service.Bytes;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * TPM evidence: the AK, its certificate if sent, and the quotes. Two encodings: the go-tpm-tools
 * {@code attest.Attestation} protobuf GCE VMs send (ak_pub 1 as TPMT_PUBLIC; quotes 2 with quote 1,
 * raw_sig 2, pcrs 3 {hash 1, map pcrs 2}; ak_cert 6 as DER; other fields such as the event log
 * skipped), and Trustee's JSON {@code {"ak_public": b64 SPKI, "tpm_quote": {"message",
 * "signature", "pcrs"}}}.
 */
record TpmEvidence(PublicKey ak, Optional<X509Certificate> akCertificate, List<TpmQuote> quotes,
                   Optional<Bytes> eventLog) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static TpmEvidence fromGceProtobuf(byte[] bytes) {
        ProtobufReader in = new ProtobufReader(bytes);
        PublicKey ak = null;
        X509Certificate certificate = null;
        List<TpmQuote> quotes = new ArrayList<>();
        Bytes eventLog = null;
        while (in.hasMore()) {
            int field = in.nextField();
            switch (field) {
                case 1 -> ak = TpmPublic.parse(in.lengthDelimited());
                case 2 -> quotes.add(quote(new ProtobufReader(in.lengthDelimited())));
                case 3 -> eventLog = Bytes.wrap(in.lengthDelimited());
                case 6 -> certificate = Certificates.parseOne(in.lengthDelimited());
                default -> in.skip();
            }
        }
        if (ak == null || quotes.isEmpty()) {
            throw Reason.MALFORMED.error("attestation has no AK or no quote");
        }
        return new TpmEvidence(ak, Optional.ofNullable(certificate), quotes, Optional.ofNullable(eventLog));
    }

    static TpmEvidence fromTrusteeJson(byte[] evidence) {
        try {
            JsonNode root = JSON.readTree(evidence);
            JsonNode quote = root.path("tpm_quote");
            PublicKey ak = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
                    Base64.getDecoder().decode(root.path("ak_public").asText())));
            List<byte[]> pcrs = new ArrayList<>();
            quote.path("pcrs").forEach(v -> pcrs.add(HexFormat.of().parseHex(v.asText())));
            return new TpmEvidence(ak, Optional.empty(), List.of(TpmQuote.ofSingleBank(
                    Base64.getDecoder().decode(quote.path("message").asText()),
                    TpmSignature.parse(Base64.getDecoder().decode(quote.path("signature").asText())), pcrs)),
                    Optional.empty());
        } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
            throw Reason.MALFORMED.error("TPM evidence JSON does not parse");
        }
    }

    private static TpmQuote quote(ProtobufReader in) {
        byte[] attest = null;
        byte[] signature = null;
        Map<TpmAlgorithm, Map<Integer, byte[]>> pcrs = new EnumMap<>(TpmAlgorithm.class);
        while (in.hasMore()) {
            switch (in.nextField()) {
                case 1 -> attest = in.lengthDelimited();
                case 2 -> signature = in.lengthDelimited();
                case 3 -> pcrs(new ProtobufReader(in.lengthDelimited()), pcrs);
                default -> in.skip();
            }
        }
        if (attest == null || signature == null) {
            throw Reason.MALFORMED.error("quote lacks TPMS_ATTEST or signature");
        }
        return new TpmQuote(attest, TpmSignature.parse(signature), pcrs);
    }

    private static void pcrs(ProtobufReader in, Map<TpmAlgorithm, Map<Integer, byte[]>> into) {
        int hashId = 0;
        Map<Integer, byte[]> values = new TreeMap<>();
        while (in.hasMore()) {
            switch (in.nextField()) {
                case 1 -> hashId = (int) in.varint();
                case 2 -> {
                    ProtobufReader entry = new ProtobufReader(in.lengthDelimited());
                    int index = -1;
                    byte[] value = new byte[0];
                    while (entry.hasMore()) {
                        switch (entry.nextField()) {
                            case 1 -> index = (int) entry.varint();
                            case 2 -> value = entry.lengthDelimited();
                            default -> entry.skip();
                        }
                    }
                    values.put(index, value);
                }
                default -> in.skip();
            }
        }
        int id = hashId;
        into.put(TpmAlgorithm.of(id).orElseThrow(() -> Reason.MALFORMED.error("unknown PCR bank " + id)), values);
    }

    /** Protocol-buffers wire format, just enough for the message above. */
    private static final class ProtobufReader {
        private final byte[] data;
        private int position;
        private int wireType;

        ProtobufReader(byte[] data) {
            this.data = data;
        }

        boolean hasMore() {
            return position < data.length;
        }

        int nextField() {
            long key = varint();
            wireType = (int) (key & 7);
            return (int) (key >>> 3);
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= data.length) {
                    throw Reason.MALFORMED.error("protobuf varint is truncated");
                }
                int b = data[position++] & 0xFF;
                value |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw Reason.MALFORMED.error("protobuf varint is too long");
        }

        byte[] lengthDelimited() {
            if (wireType != 2) {
                throw Reason.MALFORMED.error("protobuf field is not length-delimited");
            }
            long length = varint();
            if (length > data.length - position) {
                throw Reason.MALFORMED.error("protobuf field is truncated");
            }
            byte[] out = Arrays.copyOfRange(data, position, position + (int) length);
            position += (int) length;
            return out;
        }

        void skip() {
            switch (wireType) {
                case 0 -> varint();
                case 1 -> advance(8);
                case 2 -> lengthDelimited();
                case 5 -> advance(4);
                default -> throw Reason.MALFORMED.error("protobuf wire type " + wireType + " is not supported");
            }
        }

        private void advance(int length) {
            if (length > data.length - position) {
                throw Reason.MALFORMED.error("protobuf field is truncated");
            }
            position += length;
        }
    }
}
