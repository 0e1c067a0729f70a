package dev.tresor.kms.kmip.message;

/** The KMIP Result Status enumeration; Tresor never answers Pending (no asynchronous operations). */
public enum ResultStatus {
    SUCCESS(0), OPERATION_FAILED(1), OPERATION_UNDONE(3);

    private final int code;

    ResultStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
