package io.ringsgd.collectives;

/**
 * A collective could not complete. After one, the communicator is unusable (like an aborted NCCL communicator): every
 * later call throws the same failure, and the job should stop or build a new communicator.
 */
public class CollectiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CollectiveException(String message) {
        super(message);
    }

    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
