package io.brizo;

/**
 * A publish request exactly as the publisher sent it (the original Brizo's {@code POST
 * /api/v1/brizo/services/publish}): raw text, validated by {@link Brizo#publish(PublishRequest)}.
 * Null means absent.
 *
 * @param documentId {@code documentId}: what the publisher signs, usually the asset's DID
 * @param signature {@code signature}: the publisher's EIP-191 signature over {@code documentId}
 *     (or an auth token, or the nonce form with {@code nonce}), as for consume
 * @param document {@code document}: the asset's file list as JSON, {@code [{"url": ...}]}
 * @param publisherAddress {@code publisherAddress}: {@code 0x} and 40 hex digits
 * @param nonce {@code nonce}: for the replay-safe signature form; null for the Brizo form
 */
public record PublishRequest(
        String documentId, String signature, String document, String publisherAddress, String nonce) {}
