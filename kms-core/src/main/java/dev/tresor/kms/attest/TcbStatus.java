package dev.tresor.kms.attest;

import java.util.Arrays;

/** Intel TCB statuses, ordered from best to worst; a merged status is the worst of its parts. */
enum TcbStatus {
    UP_TO_DATE("UpToDate"),
    SW_HARDENING_NEEDED("SWHardeningNeeded"),
    CONFIGURATION_NEEDED("ConfigurationNeeded"),
    CONFIGURATION_AND_SW_HARDENING_NEEDED("ConfigurationAndSWHardeningNeeded"),
    OUT_OF_DATE("OutOfDate"),
    OUT_OF_DATE_CONFIGURATION_NEEDED("OutOfDateConfigurationNeeded"),
    REVOKED("Revoked");

    private final String intelName;

    TcbStatus(String intelName) {
        this.intelName = intelName;
    }

    String intelName() {
        return intelName;
    }

    static TcbStatus parse(String name) {
        return Arrays.stream(values()).filter(s -> s.intelName.equals(name)).findFirst()
                .orElseThrow(() -> Reason.COLLATERAL_INVALID.error("unknown TCB status " + name));
    }

    static TcbStatus worst(TcbStatus a, TcbStatus b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
