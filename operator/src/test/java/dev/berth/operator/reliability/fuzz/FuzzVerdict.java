package dev.berth.operator.reliability.fuzz;

/** What one stage did with one input. */
public enum FuzzVerdict {
    /** Refused with file:line:column (or, in etcd, an InvalidSpec status with line:column). */
    CLEAR_ERROR,
    /** Refused with one clear line but no location (the size limit, say). */
    ERROR_WITHOUT_LOCATION,
    /** Accepted, and the oracle found nothing wrong. */
    ACCEPTED,
    /** Accepted although invalid: see {@link FuzzOracle} for what that means. */
    WRONGLY_ACCEPTED,
    /** A stack trace or exception text, an exit code other than 0, 1 or 2, or an operator error. */
    CRASH,
    /** No answer within the stage's timeout. */
    HANG
}
