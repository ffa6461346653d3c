package io.brizo.internal;

import io.brizo.internal.auth.RequestAuthenticator;
import io.brizo.metrics.BrizoMetrics;
import io.brizo.metrics.BrizoMetrics.VerifierOutcome;
import io.brizo.spi.AgreementClaim;
import io.brizo.spi.Asset;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a request earns access, shared by consume and compute: authenticate the signer,
 * verify the agreement, resolve its asset, check that the agreement has not expired. Every step
 * fails closed: a verifier that breaks never grants. Thread-safe.
 */
public final class RequestPipeline {
    private static final Logger LOG = LoggerFactory.getLogger(RequestPipeline.class);

    private final RequestAuthenticator authenticator;
    private final ServiceAgreementVerifier verifier;
    private final String verifierName;
    private final AssetResolver assets;
    private final Clock clock;
    private final BrizoMetrics metrics;

    /** An agreement checked and its asset resolved. */
    public record Authorized(Verdict verdict, Asset asset) {}

    /** Creates the pipeline over the configured pieces; {@code metrics} gets the verifier's latency. */
    public RequestPipeline(
            RequestAuthenticator authenticator,
            ServiceAgreementVerifier verifier,
            String verifierName,
            AssetResolver assets,
            Clock clock,
            BrizoMetrics metrics) {
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.verifierName = verifierName;
        this.assets = Objects.requireNonNull(assets, "assets");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /**
     * {@return the consumer's address, once {@code signature} is its signature of {@code text}}
     *
     * @throws BrizoException UNAUTHENTICATED for a bad signature or a replayed nonce
     */
    public String authenticate(String consumer, String text, String signature, Long nonce) {
        return authenticator.authenticate(consumer, text, signature, nonce);
    }

    /**
     * {@return the claim's agreement, checked, with the asset it is about}
     *
     * @throws BrizoException FORBIDDEN without a (or with an expired) agreement, NOT_FOUND when
     *     the asset is not served here, UNAVAILABLE when the agreement cannot be checked now
     */
    public Authorized authorize(AgreementClaim claim) {
        return authorized(verify(() -> verifier.verify(claim)));
    }

    /**
     * {@return the asset {@code did}, once the verifier says {@code consumer} was given direct
     * permission on it} The original Brizo's DID form of consume: no agreement, the DID's owner's
     * permission. A consumer without permission is refused before the catalogue is asked, so the
     * refusal says nothing about whether the DID exists.
     *
     * @param did {@code did:op:} and 64 lowercase hex digits
     * @param consumer the authenticated consumer's address
     * @throws BrizoException FORBIDDEN without a (or with an expired) permission, NOT_FOUND when
     *     the asset is not served here, UNAVAILABLE when the permission cannot be checked now
     */
    public Authorized authorizePermission(String did, String consumer) {
        String who = consumer.toLowerCase(Locale.ROOT);
        Verdict verdict = verify(() -> verifier.verifyPermission(did, who));
        if (!verdict.did().orElseThrow().equals(did)) {
            LOG.error("agreement verifier {} granted a permission on another DID than asked", verifierName);
            throw new BrizoException(ErrorKind.INTERNAL, "the permission cannot be checked");
        }
        return authorized(verdict);
    }

    private Authorized authorized(Verdict verdict) {
        Asset asset = assets.resolve(verdict.did().orElseThrow())
                .orElseThrow(
                        () -> BrizoException.notFound("the asset of this agreement is not served by this publisher"));
        // On chain an agreement lasts the asset's timeout from when it was made; zero = forever.
        if (verdict.agreedAt().isPresent() && !asset.timeout().isZero()) {
            if (!clock.instant().isBefore(verdict.agreedAt().get().plus(asset.timeout()))) {
                throw new BrizoException(ErrorKind.FORBIDDEN, "the service agreement has expired");
            }
        }
        return new Authorized(verdict, asset);
    }

    /** {@return the published asset {@code did}, if this publisher serves it} */
    public Optional<Asset> resolve(String did) {
        return assets.resolve(did);
    }

    private Verdict verify(Supplier<Verdict> question) {
        Verdict verdict;
        long start = System.nanoTime();
        try {
            verdict = question.get();
        } catch (BrizoException e) {
            verified(start, outcome(e.kind()));
            throw e;
        } catch (RuntimeException e) {
            verified(start, VerifierOutcome.UNAVAILABLE);
            LOG.error(
                    "agreement verifier {} failed with {}",
                    verifierName,
                    e.getClass().getName());
            throw new BrizoException(
                    ErrorKind.UNAVAILABLE, "the service agreement cannot be checked now; try again later", e);
        }
        verified(start, verdict.isGranted() ? VerifierOutcome.GRANTED : VerifierOutcome.DENIED);
        if (!verdict.isGranted()) {
            throw new BrizoException(ErrorKind.FORBIDDEN, verdict.reason().orElse("no agreement grants access"));
        }
        if (verdict.expiresAt().filter(t -> !clock.instant().isBefore(t)).isPresent()) {
            throw new BrizoException(ErrorKind.FORBIDDEN, "the service agreement has expired");
        }
        return verdict;
    }

    /** {@return how a verifier answered that threw a Brizo error of {@code kind}} */
    private static VerifierOutcome outcome(ErrorKind kind) {
        return switch (kind) {
            case INVALID_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, CONFLICT, RANGE_NOT_SATISFIABLE ->
                VerifierOutcome.DENIED;
            case UPSTREAM_FAILED, UNAVAILABLE, CONFIGURATION, INTERNAL -> VerifierOutcome.UNAVAILABLE;
        };
    }

    private void verified(long start, VerifierOutcome outcome) {
        metrics.agreementVerified(outcome, Duration.ofNanos(System.nanoTime() - start));
    }
}
