package dev.tresor.kms.attest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A TCG crypto-agile event log (TPM PC Client and the TDX CC event log share the format): a
 * SHA-1-format Spec ID event naming the digest sizes, then TCG_PCR_EVENT2 records until the end
 * or the 0xFF padding of an ACPI region. Replaying it extends each register from zero.
 */
final class TcgEventLog {
    private static final int EV_NO_ACTION = 3;
    private static final int MAX_EVENTS = 20_000;
    private static final byte[] STARTUP_LOCALITY = "StartupLocality\0".getBytes(StandardCharsets.US_ASCII);

    private record Event(int index, int type, Map<Integer, byte[]> digests, byte[] data) {
    }

    private final List<Event> events;

    private TcgEventLog(List<Event> events) {
        this.events = events;
    }

    static TcgEventLog parse(byte[] log) {
        WireReader in = WireReader.littleEndian(log, 0, "event log");
        in.skip(8 + 20);
        WireReader spec = WireReader.littleEndian(in.bytes((int) in.u32()), 0, "Spec ID event");
        spec.skip(24);
        long algorithms = spec.u32();
        if (algorithms > 16) {
            throw Reason.MALFORMED.error("event log names " + algorithms + " digest algorithms");
        }
        Map<Integer, Integer> sizes = new HashMap<>();
        for (int i = 0; i < algorithms; i++) {
            sizes.put(spec.u16(), spec.u16());
        }
        List<Event> events = new ArrayList<>();
        while (in.remaining() >= 12) {
            long index = in.u32();
            long type = in.u32();
            if (index == 0xFFFFFFFFL || type == 0xFFFFFFFFL) {
                break;
            }
            if (events.size() >= MAX_EVENTS) {
                throw Reason.MALFORMED.error("event log has more than " + MAX_EVENTS + " events");
            }
            long count = in.u32();
            if (count > sizes.size()) {
                throw Reason.MALFORMED.error("event has more digests than the log has algorithms");
            }
            Map<Integer, byte[]> digests = new HashMap<>();
            for (int i = 0; i < count; i++) {
                int algorithm = in.u16();
                Integer size = sizes.get(algorithm);
                if (size == null) {
                    throw Reason.MALFORMED.error("event digest algorithm 0x" + Integer.toHexString(algorithm) + " is undeclared");
                }
                digests.put(algorithm, in.bytes(size));
            }
            events.add(new Event((int) index, (int) type, digests, in.bytes((int) in.u32())));
        }
        return new TcgEventLog(events);
    }

    /**
     * The registers that have measured events, replayed with {@code bank}; PCR 0 starts at the
     * StartupLocality value when the log records one.
     */
    Map<Integer, byte[]> replay(TpmAlgorithm bank) {
        Map<Integer, byte[]> registers = new TreeMap<>();
        MessageDigest digest = Certificates.digest(bank.jcaName());
        for (Event event : events) {
            if (event.type() == EV_NO_ACTION) {
                if (event.data().length == STARTUP_LOCALITY.length + 1
                        && Arrays.equals(Arrays.copyOf(event.data(), STARTUP_LOCALITY.length), STARTUP_LOCALITY)) {
                    byte[] start = new byte[bank.length()];
                    start[start.length - 1] = event.data()[STARTUP_LOCALITY.length];
                    registers.put(event.index(), start);
                }
                continue;
            }
            byte[] measured = event.digests().get(bank.id());
            if (measured == null) {
                throw Reason.MALFORMED.error("event for register " + event.index() + " has no " + bank.bank() + " digest");
            }
            digest.update(registers.getOrDefault(event.index(), new byte[bank.length()]));
            digest.update(measured);
            registers.put(event.index(), digest.digest());
        }
        return registers;
    }
}
