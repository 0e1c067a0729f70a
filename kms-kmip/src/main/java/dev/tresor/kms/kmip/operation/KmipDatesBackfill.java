package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.key.Key;
import dev.tresor.kms.key.KeyRing;
import dev.tresor.kms.key.UsePeriod;
import dev.tresor.kms.service.Administration;
import dev.tresor.kms.service.KeyManagement;
import dev.tresor.kms.service.KeyRef;
import dev.tresor.kms.service.KmsError;
import dev.tresor.kms.service.Regions;
import dev.tresor.kms.tenant.Caller;
import dev.tresor.kms.tenant.Grant;
import dev.tresor.kms.tenant.Principal;
import dev.tresor.kms.tenant.Project;
import dev.tresor.kms.tenant.TenantId;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Gives the core the Protect Stop and Process Start Dates of KMIP keys stored before the core
 * kept them: such a key's dates were only in its stored KMIP attributes, so another front-end
 * (REST) could use it outside them. For each key of every project's KMIP ring and each version's
 * private (or secret) object, where its stored dates give a period other than the core's, the
 * core takes that period ({@link KeyManagement#backfillUsePeriod}, audited as
 * {@code key.dates-backfilled}). Run at each start once unsealed, off the event loops: a key
 * whose period already matches is only read, so a second pass writes nothing.
 */
public final class KmipDatesBackfill {
    private static final Logger LOG = Logger.getLogger(KmipDatesBackfill.class.getName());
    private static final Grant SYSTEM = Grant.operator(new Principal(Principal.Kind.OPERATOR, "kmip-dates-backfill"));

    private final KeyManagement keys;
    private final Administration administration;

    public KmipDatesBackfill(KeyManagement keys, Administration administration) {
        this.keys = keys;
        this.administration = administration;
    }

    /** One pass over every project; answers how many key versions got their period. */
    public int run() {
        int written = 0;
        for (Project project : administration.listProjects(SYSTEM)) {
            try {
                written += backfilled(SYSTEM.callerIn(new TenantId(project.id(), Regions.DEFAULT)));
            } catch (KmsError e) {
                LOG.log(Level.WARNING, "could not give the core the KMIP dates of the keys of project " + project.id()
                        + "; the next start tries again", e);
            }
        }
        if (written > 0) {
            LOG.info("gave the core the KMIP dates of " + written + " key versions stored before it kept them");
        }
        return written;
    }

    private int backfilled(Caller caller) {
        Optional<String> ring = keys.listKeyRings(caller).stream()
                .filter(r -> r.displayName().equals(KmipObjects.RING)).map(KeyRing::id).findFirst();
        if (ring.isEmpty()) {
            return 0;
        }
        int written = 0;
        for (Key key : keys.listAllKeys(caller)) {
            if (!key.keyRingId().equals(ring.get()) || missing(key).isEmpty()) {
                continue;
            }
            try {
                written += CompareAndSetTries.run(() -> given(caller, keys.getKey(caller, KeyRef.byId(key.id()))));
            } catch (KmsError e) {
                LOG.log(Level.WARNING, "could not give the core the KMIP dates of key " + key.id()
                        + "; the next start tries again", e);
            }
        }
        return written;
    }

    /** Gives each version of {@code key} whose period the core lacks that period; answers how many. */
    private int given(Caller caller, Key key) {
        Map<Long, UsePeriod> missing = missing(key);
        Key current = key;
        for (Map.Entry<Long, UsePeriod> period : missing.entrySet()) {
            current = keys.backfillUsePeriod(caller, KeyRef.byId(key.id()), current.attributes(), period.getKey(),
                    period.getValue());
        }
        return missing.size();
    }

    /** The period of each version whose private (or secret) object's stored dates differ from the core's. */
    private static Map<Long, UsePeriod> missing(Key key) {
        Map<Long, UsePeriod> missing = new TreeMap<>();
        for (long version = 1; version <= key.lastVersion(); version++) {
            long number = version;
            KmipObjects.decode(key.attributes(), number, false).map(ObjectAccess::usePeriod)
                    .filter(stored -> !stored.equals(key.usePeriod(number)))
                    .ifPresent(stored -> missing.put(number, stored));
        }
        return missing;
    }
}
