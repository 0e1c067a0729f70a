package dev.tresor.kms.attest;

import java.io.IOException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/** The Intel SGX extension of a PCK certificate: TCB component SVNs, PCESVN, PCE-ID, FMSPC. */
final class PckCertificate {
    private static final String SGX = "1.2.840.113741.1.13.1";

    private final int[] componentSvns = new int[16];
    private int pceSvn = -1;
    private byte[] pceId;
    private byte[] fmspc;

    private PckCertificate() {
    }

    static PckCertificate read(X509Certificate certificate) {
        byte[] wrapped = certificate.getExtensionValue(SGX);
        if (wrapped == null) {
            throw Reason.CHAIN_INVALID.error("PCK certificate has no SGX extension");
        }
        PckCertificate pck = new PckCertificate();
        try {
            ASN1Sequence items = ASN1Sequence.getInstance(
                    ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(wrapped).getOctets()));
            for (ASN1Encodable item : items) {
                ASN1Sequence pair = ASN1Sequence.getInstance(item);
                String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
                ASN1Encodable value = pair.getObjectAt(1);
                switch (oid.substring(SGX.length())) {
                    case ".2" -> pck.readTcb(ASN1Sequence.getInstance(value));
                    case ".3" -> pck.pceId = ASN1OctetString.getInstance(value).getOctets();
                    case ".4" -> pck.fmspc = ASN1OctetString.getInstance(value).getOctets();
                    default -> { }
                }
            }
        } catch (IOException | IllegalArgumentException | ClassCastException e) {
            throw Reason.CHAIN_INVALID.error("PCK SGX extension does not parse");
        }
        if (pck.pceSvn < 0 || pck.pceId == null || pck.fmspc == null) {
            throw Reason.CHAIN_INVALID.error("PCK SGX extension lacks TCB, PCE-ID or FMSPC");
        }
        return pck;
    }

    private void readTcb(ASN1Sequence tcb) {
        String prefix = SGX + ".2.";
        for (ASN1Encodable item : tcb) {
            ASN1Sequence pair = ASN1Sequence.getInstance(item);
            String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
            if (!oid.startsWith(prefix)) {
                continue;
            }
            int index = Integer.parseInt(oid.substring(prefix.length()));
            if (index >= 1 && index <= 16) {
                componentSvns[index - 1] = ASN1Integer.getInstance(pair.getObjectAt(1)).intValueExact();
            } else if (index == 17) {
                pceSvn = ASN1Integer.getInstance(pair.getObjectAt(1)).intValueExact();
            }
        }
    }

    int componentSvn(int index) {
        return componentSvns[index];
    }

    int pceSvn() {
        return pceSvn;
    }

    byte[] pceId() {
        return pceId.clone();
    }

    byte[] fmspc() {
        return fmspc.clone();
    }
}
