package io.brizo;

/**
 * A request to start a compute job, exactly as the consumer sent it (null = absent); validated by
 * {@link Brizo#startCompute}.
 *
 * @param agreementId {@code serviceAgreementId}: the compute agreement of the dataset
 * @param consumerAddress {@code consumerAddress}
 * @param signature {@code signature} over {@code consumerAddress + serviceAgreementId} (Brizo
 *     form), or an auth token, or the nonce form
 * @param nonce {@code nonce}, for the replay-safe form
 * @param algorithmDid {@code algorithmDid}: a published algorithm asset of this publisher; it runs
 *     with the code, container and entrypoint of its asset
 * @param algorithmMeta {@code algorithmMeta}: an inline algorithm, JSON {@code {"rawcode": "..." |
 *     "url": "...", "container": {"image": "...", "tag": "...", "entrypoint": "... $ALGO",
 *     "digest": "sha256:..."}}} ({@code checksum}, the DDO's name, is read as {@code digest});
 *     refused beside {@code algorithmDid}
 * @param additionalInputs {@code additionalInputs}: more datasets, as a JSON list (or a
 *     comma-separated list) of their compute agreement ids, each checked like the first
 * @param environment {@code environment}: the compute environment's id; default the first
 * @param output {@code output}: the original's output options (JSON); accepted, not used yet
 */
public record ComputeStartRequest(
        String agreementId,
        String consumerAddress,
        String signature,
        String nonce,
        String algorithmDid,
        String algorithmMeta,
        String additionalInputs,
        String environment,
        String output) {}
