package dev.tresor.kms.service;

import dev.tresor.kms.audit.AuditEvent;
import dev.tresor.kms.audit.AuditLog;
import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyService;
import dev.tresor.kms.key.StoredPeriods;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.seal.BarrierStore;
import dev.tresor.kms.store.StoredJson;
import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.TenantId;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The system pass that gives key versions stored before the core kept use periods the period
 * their front-end attributes hold, read by the front-end's function (the core does not decode
 * them). Like the purger it is neither counted nor audited for its reads; each version it gives
 * a period is written with its own record by {@value #PRINCIPAL}, naming the dates. A version
 * that has a period keeps it, unless the front-end keeps none for the key ({@link
 * StoredPeriods#none}): then the pass removes it, recorded as {@value #CLEARED} naming the dates removed.
 *
 * <p>What a pass saw is stored ({@link Seen}): each tenant's audit-chain end once its keys were
 * gone over, and the keys that failed. A later pass goes over a tenant's keys again only if its
 * chain moved on since, and otherwise retries only its failed keys. Every write of a key record, by
 * every build since the chains are per tenant, carries an audit record in its tenant's chain
 * ({@link AuditLog#storedEnd}), so a key that a build unaware
 * of use periods rewrote (dropping them) or created always moves the chain; this build notes the
 * ends it moved itself before each seal and at close ({@link #noteChainEnds}), so only a crash
 * costs a needless pass over a tenant.
 */
final class UsePeriodBackfill {
    static final String PRINCIPAL = "system:use-periods";
    static final String OPERATION = "key.dates-backfilled";
    static final String CLEARED = "key.dates-cleared";
    private static final String SEEN = "sys/pass/use-periods";
    /** The permanent marker of the builds before {@link Seen}; a store that has it gets one pass more. */
    private static final String FORMER_MARKER = "sys/pass/use-periods-backfilled";
    private static final Logger LOG = Logger.getLogger(UsePeriodBackfill.class.getName());

    /**
     * The reader's rule that went over the keys; each tenant's chain end once its keys were gone
     * over (absent: go over them), and the keys that failed. A record of another rule (or of a
     * build before rules, whose rule reads null) counts as nothing seen.
     */
    record Seen(String rule, Map<String, Long> chainEnds, Map<String, List<String>> failedKeys) {
        static Seen nothing(String rule) {
            return new Seen(rule, Map.of(), Map.of());
        }

        /**
         * A record missing a map, a tenant's failed keys or one of them (a later or corrupt build's;
         * JSON leaves them null): a null key id would fail, and be stored again, at every pass.
         */
        boolean incomplete() {
            return chainEnds == null || failedKeys == null || failedKeys.containsValue(null)
                    || failedKeys.values().stream().anyMatch(ids -> ids.contains(null));
        }
    }

    private final BarrierStore barrier;
    private final KeyService keys;
    private final Projects projects;
    private final AuditLog audit;
    private final Clock clock;
    private final Supplier<Optional<KmsError>> storeFailure;
    /**
     * Throws SEALED once the unseal that started this pass was sealed, even if the barrier reopened;
     * checked before each key and, with the barrier's lock held, as each write is sealed.
     */
    private final Runnable requireCurrentPass;
    /** Set by a pass of this process: only then may {@link #noteChainEnds} vouch for the keys. */
    private volatile Seen seen;

    UsePeriodBackfill(BarrierStore barrier, KeyService keys, Projects projects, AuditLog audit, Clock clock,
                      Supplier<Optional<KmsError>> storeFailure, Runnable requireCurrentPass) {
        this.barrier = barrier;
        this.keys = keys;
        this.projects = projects;
        this.audit = audit;
        this.clock = clock;
        this.storeFailure = storeFailure;
        this.requireCurrentPass = requireCurrentPass;
    }

    /**
     * One pass over the keys of each tenant whose chain moved on since the last pass, and the
     * failed keys of the others; answers how many versions got a period. A tenant whose keys
     * cannot be listed is logged and gone over again next time; a store failure or a seal ends the
     * pass, and so does a project listing that fails (logged: the next start or unseal tries again).
     */
    int run(String rule, Function<Key, StoredPeriods> stored) {
        Seen before;
        List<TenantId> tenants;
        try {
            before = lastSeen(rule);
            tenants = Regions.tenants(projects);
        } catch (RuntimeException e) {
            if (!endedThePass(e)) {
                LOG.log(Level.SEVERE, "could not list the projects to give stored keys their use periods "
                        + "(REST uses keys stored before it without their dates); each start or unseal tries again", e);
            }
            return 0;
        }
        Map<String, Long> ends = new TreeMap<>();
        Map<String, List<String>> failed = new TreeMap<>();
        int written = 0;
        for (TenantId tenant : tenants) {
            String path = tenant.path();
            try {
                Long end = audit.storedEnd(path);
                List<String> ids = end.equals(before.chainEnds().get(path))
                        ? before.failedKeys().getOrDefault(path, List.of())
                        : keys.listAllKeys(tenant).stream().map(Key::id).toList();
                List<String> failedHere = new ArrayList<>();
                for (String id : ids) {
                    requireCurrentPass.run();
                    try {
                        written += keys.fillUsePeriods(tenant, id, stored, this::commit).size();
                    } catch (RuntimeException e) {
                        if (endsThePass(e)) {
                            throw e;
                        }
                        failedHere.add(id);
                        LOG.log(Level.WARNING, "could not give key " + id + " of " + path
                                + " the use periods of its stored attributes; each start or unseal tries again", e);
                    }
                }
                ends.put(path, audit.storedEnd(path));
                if (!failedHere.isEmpty()) {
                    failed.put(path, failedHere);
                }
            } catch (RuntimeException e) {
                if (endedThePass(e)) {
                    return written;
                }
                LOG.log(Level.WARNING, "could not go over the keys of " + path
                        + " for their use periods; the next start or unseal goes over them again", e);
            }
        }
        try {
            store(new Seen(rule, ends, failed), requireCurrentPass);
        } catch (RuntimeException e) {
            if (endedThePass(e)) {
                return written;
            }
            throw e;
        }
        int failures = failed.values().stream().mapToInt(List::size).sum();
        LOG.info("gave " + written + " key versions the use periods of their stored attributes");
        if (failures > 0) {
            LOG.warning(failures + " keys still lack the use periods of their stored attributes (REST uses them "
                    + "without their dates), each start or unseal tries them again: " + failed);
        }
        return written;
    }

    /** A failed store or a seal ends the pass: no other key could be read or written either. */
    private boolean endsThePass(RuntimeException e) {
        return storeFailure.get().isPresent() || e instanceof KmsError error && error.code() == ErrorCode.SEALED;
    }

    /** Logs {@code e} if it ends the pass ({@link #endsThePass}) and says whether it did. */
    private boolean endedThePass(RuntimeException e) {
        if (storeFailure.get().isPresent()) {
            LOG.log(Level.SEVERE, "the store failed while giving stored keys their use periods; the next start goes on", e);
            return true;
        }
        if (endsThePass(e)) {
            LOG.warning("sealed while giving stored keys their use periods; the next unseal goes on");
            return true;
        }
        return false;
    }

    /**
     * What the last pass of {@code rule} stored. One of another rule counts as nothing seen, and so
     * does one this build cannot read (e.g. a later build's, with a field of another type or name,
     * or a value that does not open; logged): the pass goes over every tenant. It is only a cache,
     * so only a seal or a failed store ends the pass here.
     */
    private Seen lastSeen(String rule) {
        Seen seenBefore;
        try {
            Optional<byte[]> stored = barrier.get(SEEN);
            if (stored.isEmpty()) {
                return Seen.nothing(rule);
            }
            seenBefore = StoredJson.decode(stored.get(), Seen.class);
        } catch (RuntimeException e) {
            if (endsThePass(e)) {
                throw e;
            }
            LOG.log(Level.WARNING, "the use-period pass's record " + SEEN + " is unreadable; going over every project", e);
            return Seen.nothing(rule);
        }
        if (seenBefore.incomplete()) {
            LOG.warning("the use-period pass's record " + SEEN + " lacks what it saw; going over every project");
            return Seen.nothing(rule);
        }
        if (!rule.equals(seenBefore.rule())) {
            LOG.info("the use periods are read by rule " + rule + ", not " + seenBefore.rule()
                    + " as at the last pass; going over every project");
            return Seen.nothing(rule);
        }
        return seenBefore;
    }

    /**
     * Before a seal or close: the chains of the tenants the pass of this process went over moved on
     * only by this build, which keeps use periods, so the next pass need not go over them again.
     * Whether a pass still runs does not matter here, so the write is not guarded by it.
     */
    void noteChainEnds() {
        Seen last = seen;
        if (last == null) {
            return;
        }
        Map<String, Long> ends = new TreeMap<>();
        last.chainEnds().keySet().forEach(path -> ends.put(path, audit.storedEnd(path)));
        store(new Seen(last.rule(), ends, last.failedKeys()), () -> { });
    }

    /** Writes {@code now} if {@code check} holds as it is sealed ({@link BarrierStore.Batch#guardedBy}). */
    private void store(Seen now, Runnable check) {
        barrier.write(barrier.batch().put(SEEN, StoredJson.encode(now)).delete(FORMER_MARKER).guardedBy(check));
        seen = now;
    }

    /** A written period's record names its dates; a removed one's (a key the front-end keeps none for) the dates removed. */
    private Consumer<BarrierStore.Batch> commit(TenantId tenant, Key key, long version, UsePeriod was) {
        UsePeriod period = key.usePeriod(version);
        boolean cleared = period.equals(UsePeriod.ALWAYS);
        UsePeriod named = cleared ? was : period;
        AuditEvent event = new AuditEvent(clock.instant(), PRINCIPAL, tenant.path(), cleared ? CLEARED : OPERATION,
                "keyrings/" + key.keyRingId() + "/keys/" + key.id() + "/versions/" + version, AuditEvent.OK,
                Map.of("protectStop", date(named.protectStop()), "processStart", date(named.processStart())));
        return batch -> audit.record(event, batch.guardedBy(requireCurrentPass));
    }

    private static String date(Optional<Instant> date) {
        return date.map(Instant::toString).orElse("none");
    }
}
