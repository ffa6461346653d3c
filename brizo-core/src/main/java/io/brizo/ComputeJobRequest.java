package io.brizo;

/**
 * A request about existing compute jobs (status, stop, delete, logs, results), exactly as the
 * consumer sent it (null = absent).
 *
 * @param consumerAddress {@code consumerAddress}: the job's owner
 * @param signature {@code signature} over {@code consumerAddress + jobId + serviceAgreementId}
 *     (missing parts as empty strings), or an auth token, or the nonce form
 * @param nonce {@code nonce}, for the replay-safe form
 * @param agreementId {@code serviceAgreementId}, optional
 * @param jobId {@code jobId}; optional for status (then all the owner's jobs)
 */
public record ComputeJobRequest(
        String consumerAddress, String signature, String nonce, String agreementId, String jobId) {}
