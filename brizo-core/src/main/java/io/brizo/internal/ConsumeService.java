package io.brizo.internal;

import io.brizo.ConsumeRequest;
import io.brizo.internal.storage.StorageRouter;
import io.brizo.spi.AgreementClaim;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetFile;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ObjectInfo;
import io.brizo.spi.ServiceType;
import io.brizo.spi.StorageDriver;
import java.net.URI;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consume orchestration: checks a request's form, authorises it through the {@link
 * RequestPipeline} for ACCESS and picks the file and its driver. Thread-safe.
 *
 * <p>A {@code serviceAgreementId} of the form {@code did:op:<64 hex>} is the original Brizo's
 * direct-permission form: the signature signs that text as sent, and access is the verifier's
 * {@link io.brizo.spi.ServiceAgreementVerifier#verifyPermission} on the DID instead of an
 * agreement; everything else (nonces, index, ranges, errors) is as for an agreement.
 */
public final class ConsumeService {
    private static final Logger LOG = LoggerFactory.getLogger(ConsumeService.class);

    private final RequestPipeline pipeline;
    private final StorageRouter storage;
    private final boolean allowUrlParameter;

    /**
     * An authorised file, ready to be opened.
     *
     * @param location the file's location; secret
     */
    public record Grant(
            String did,
            int index,
            String fileName,
            String contentType,
            ObjectInfo info,
            StorageDriver driver,
            URI location) {}

    /** @param allowUrlParameter whether the old squid-java {@code url} form is accepted */
    public ConsumeService(RequestPipeline pipeline, StorageRouter storage, boolean allowUrlParameter) {
        this.pipeline = pipeline;
        this.storage = storage;
        this.allowUrlParameter = allowUrlParameter;
    }

    /**
     * {@return the file a consume request may read} See {@link io.brizo.Brizo#consume}.
     */
    public Grant authorize(ConsumeRequest request) {
        // An agreement id, or the original's DID form: direct permission on that DID.
        String agreementId = RequestFields.agreementIdOrDid(request.agreementId());
        boolean didForm = RequestFields.isDidForm(agreementId);
        String consumer = RequestFields.address(request.consumerAddress());
        boolean legacy = request.url() != null && request.signature() == null;
        long index = -1;
        if (!legacy) {
            RequestFields.required(request.signature(), "signature");
            index = RequestFields.index(request.index());
        } else if (!allowUrlParameter) {
            throw BrizoException.invalid("this publisher does not accept the url parameter: "
                    + "sign the serviceAgreementId and send signature and index instead");
        }
        Long nonce = RequestFields.nonce(request.nonce());
        if (request.signature() != null) {
            consumer = pipeline.authenticate(consumer, agreementId, request.signature(), nonce);
        }

        Asset asset = didForm
                ? pipeline.authorizePermission(agreementId.toLowerCase(Locale.ROOT), consumer)
                        .asset()
                : pipeline.authorize(new AgreementClaim(agreementId, consumer, ServiceType.ACCESS))
                        .asset();
        String did = asset.did();
        if (legacy) {
            index = indexOfUrl(asset, request.url().trim());
        }
        if (index >= asset.files().size()) {
            throw BrizoException.notFound("the asset has no file with index " + index + "; it has "
                    + asset.files().size() + " file" + (asset.files().size() == 1 ? "" : "s"));
        }
        AssetFile file = asset.files().get((int) index);
        StorageDriver driver = storage.driverFor(file.url());
        ObjectInfo objectInfo = driver.stat(file.url());
        String contentType =
                file.contentTypeIfKnown().or(objectInfo::contentType).orElse("application/octet-stream");
        String name = file.fileName();
        if (name.isBlank()) {
            name = "file-" + index;
        }
        LOG.info(
                "consume authorised: agreement={} consumer={} did={} index={} size={}",
                agreementId,
                consumer,
                did,
                index,
                objectInfo.size());
        return new Grant(did, (int) index, name, contentType, objectInfo, driver, file.url());
    }

    private static int indexOfUrl(Asset asset, String url) {
        for (int i = 0; i < asset.files().size(); i++) {
            if (asset.files().get(i).url().toString().equals(url)) {
                return i;
            }
        }
        // Same answer whether the url is elsewhere or nowhere: the caller learns nothing.
        throw new BrizoException(ErrorKind.FORBIDDEN, "the url is not a file of this agreement's asset");
    }
}
