package io.brizo.internal;

import io.brizo.PublishRequest;
import io.brizo.internal.asset.JsonFileAssetResolver;
import io.brizo.internal.crypto.Ecies;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.Settings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.ECKeyPair;

/**
 * Encrypts publishers' file lists to the provider's key ({@code PROVIDER_KEY}) with ECIES (the
 * eciespy / eciesjs format), so that only this provider can read them back: the original Brizo's
 * {@code publish} route and Ocean Provider's raw {@code encrypt}. Encrypting for anyone is
 * harmless, since only the holder of the provider's key can decrypt; {@code BRIZO_PUBLISHERS} can
 * still limit {@code publish} to known publishers. Neither the document nor the ciphertext is
 * logged.
 */
public final class PublishService {
    private static final Logger LOG = LoggerFactory.getLogger(PublishService.class);

    private final RequestPipeline pipeline;
    private final ECKeyPair providerKey;
    private final Set<String> publishers;

    /**
     * Creates the service.
     *
     * @param providerKey the provider's key, or {@code null} when none is configured (then every
     *     call fails with CONFIGURATION)
     * @param publishers lowercase addresses allowed to publish; empty = any that signs
     */
    public PublishService(RequestPipeline pipeline, ECKeyPair providerKey, Set<String> publishers) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.providerKey = providerKey;
        this.publishers = Set.copyOf(publishers);
    }

    /**
     * {@return the service configured by {@code settings}}
     *
     * @throws BrizoException of kind CONFIGURATION if PROVIDER_KEY or BRIZO_PUBLISHERS is malformed
     */
    public static PublishService from(Settings settings, RequestPipeline pipeline) {
        return new PublishService(
                pipeline, CoreSettings.providerKey(settings).orElse(null), CoreSettings.publishers(settings));
    }

    /**
     * {@return the file list of {@code request} encrypted to the provider's key, as {@code 0x} hex}
     *
     * @throws BrizoException INVALID_REQUEST for missing or malformed parameters (all missing ones
     *     named) or a document that is not a file list; UNAUTHENTICATED if the signature is not the
     *     publisher's; FORBIDDEN if BRIZO_PUBLISHERS does not list the publisher; CONFIGURATION if
     *     no PROVIDER_KEY is configured
     */
    public String publish(PublishRequest request) {
        Objects.requireNonNull(request, "request");
        requireKey(); // before the signature, so a nonce is not spent on a request that cannot succeed
        List<String> missing = new ArrayList<>();
        if (blank(request.documentId())) {
            missing.add("documentId");
        }
        if (blank(request.signature())) {
            missing.add("signature");
        }
        if (blank(request.document())) {
            missing.add("document");
        }
        if (blank(request.publisherAddress())) {
            missing.add("publisherAddress");
        }
        if (!missing.isEmpty()) {
            throw BrizoException.invalid("missing " + (missing.size() == 1 ? "parameter" : "parameters") + ": "
                    + String.join(", ", missing));
        }
        if (!RequestFields.isAddress(request.publisherAddress())) {
            throw BrizoException.invalid("publisherAddress must be 20 bytes of hex (0x followed by 40 hex digits)");
        }
        Long nonce = RequestFields.nonce(request.nonce());
        String publisher;
        try {
            publisher =
                    pipeline.authenticate(request.publisherAddress(), request.documentId(), request.signature(), nonce);
        } catch (BrizoException e) {
            // The authenticator speaks of consumers; here the signer is the publisher.
            throw new BrizoException(
                    e.kind(), e.getMessage().replace("consumerAddress", "publisherAddress"), null, e.retryable());
        }
        if (!publishers.isEmpty() && !publishers.contains(publisher)) {
            throw new BrizoException(
                    ErrorKind.FORBIDDEN,
                    "publisher " + publisher + " is not allowed to publish here (BRIZO_PUBLISHERS)");
        }
        byte[] document = request.document().getBytes(StandardCharsets.UTF_8);
        try {
            JsonFileAssetResolver.fileList(document, "document");
        } catch (BrizoException e) {
            throw BrizoException.invalid(e.getMessage());
        }
        String hex = encrypt(document);
        LOG.info("encrypted a file list of {} bytes for publisher {}", document.length, publisher);
        return hex;
    }

    /**
     * {@return {@code document} encrypted to the provider's key, as {@code 0x} hex} Ocean
     * Provider's raw {@code encrypt}: any bytes, no signature.
     *
     * @throws BrizoException CONFIGURATION if no PROVIDER_KEY is configured
     */
    public String encrypt(byte[] document) {
        Objects.requireNonNull(document, "document");
        requireKey();
        return "0x" + HexFormat.of().formatHex(Ecies.encrypt(providerKey, document));
    }

    private void requireKey() {
        if (providerKey == null) {
            throw BrizoException.configuration("this provider has no key, so it cannot encrypt for itself: set"
                    + " PROVIDER_KEY to the provider's Ethereum private key, or PROVIDER_KEYFILE or"
                    + " PROVIDER_ENCRYPTED_KEY with PROVIDER_PASSWORD");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
