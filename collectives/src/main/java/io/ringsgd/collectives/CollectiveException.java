package io.ringsgd.collectives;

/**
 * A collective could not complete. After one, the communicator is unusable (like an aborted NCCL communicator): every
 * later call throws the same failure, on every rank, and the job should stop or build a new communicator. The
 * subclasses say why: {@link PeerFailureException} (a rank died, left or stalled) and
 * {@link CollectiveMismatchException} (the ranks' calls disagree); a plain CollectiveException is any other failure
 * (a collective that threw on some rank, concurrent use of a communicator, a closed communicator), with the message
 * saying which.
 */
public class CollectiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public CollectiveException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }
}
