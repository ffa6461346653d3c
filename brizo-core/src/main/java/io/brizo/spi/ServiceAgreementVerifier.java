package io.brizo.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether a consumer holds a service agreement. Implementations fail closed: when the
 * source of truth (a chain node, a database) cannot be reached they throw a retryable {@link
 * BrizoException} of kind UNAVAILABLE, and never answer "granted".
 */
public interface ServiceAgreementVerifier {
    /**
     * {@return whether {@code claim} holds} An expired agreement is a denial. Implementations
     * must be thread-safe.
     */
    Verdict verify(AgreementClaim claim);

    /**
     * Checks that this verifier can answer now, without asking about any agreement: for health
     * checks. The default does nothing, right for a verifier that needs no remote system; one
     * that does (a chain node, a database) asks it something cheap.
     *
     * @throws BrizoException of kind UNAVAILABLE, retryable, when its node or store cannot be
     *     reached or is too slow; of kind CONFIGURATION when it answers but is not the one
     *     configured (another chain)
     */
    default void checkAvailable() {}

    /**
     * {@return whether {@code consumer} was given direct permission on asset {@code did}} This is
     * the original Brizo's DID form of consume: a {@code serviceAgreementId} of the form {@code
     * did:op:<64 hex>} means "the DID's owner gave me permission", with no agreement (on chain:
     * {@code DIDRegistry.getPermission(did, consumer)}). A grant carries {@code did}; its expiry,
     * if any, is the permission's.
     *
     * <p>The default denies: a verifier that knows no direct permissions treats the DID form as
     * a consumer without access (403), the answer a publisher expects for a form its source of
     * truth does not hold, rather than an error of its configuration. Like {@link #verify}, an
     * unreachable source of truth is a retryable UNAVAILABLE, never a grant. Implementations must
     * be thread-safe.
     *
     * @param did {@code did:op:} and 64 lowercase hex digits
     * @param consumer the consumer's address, {@code 0x} and 40 lowercase hex digits
     */
    default Verdict verifyPermission(String did, String consumer) {
        return Verdict.denied("no permission on this DID was given to this consumer");
    }

    /**
     * {@return whether this verifier can {@linkplain #grantPermission grant} direct permissions}
     * The default is false.
     */
    default boolean canGrant() {
        return false;
    }

    /**
     * Gives {@code grantee} direct permission on asset {@code did}, so that {@link
     * #verifyPermission} grants it from now on: what the provider does for the owner of an asset
     * it created (the outputs of a compute job). Idempotent: granting an existing permission
     * again succeeds and changes nothing. The development verifier records it in its grants
     * file; the keeper verifier registers the DID on chain if needed and grants the permission
     * as the provider.
     *
     * @param did {@code did:op:} and 64 lowercase hex digits
     * @param grantee the address given permission, {@code 0x} and 40 hex digits
     * @throws BrizoException of kind CONFIGURATION if this verifier cannot grant (see {@link
     *     #canGrant()}); of kind CONFLICT when the DID belongs to someone else who alone may
     *     grant on it; of kind UNAVAILABLE, retryable, when the source of truth cannot be
     *     written now
     */
    default void grantPermission(String did, String grantee) {
        throw BrizoException.configuration("this publisher's agreement verifier cannot grant permissions on a DID");
    }

    /**
     * {@return fields this verifier adds to the service description at {@code GET /}} The keeper
     * verifier gives what the Python Brizo announced there: {@code network}, {@code keeper-url},
     * {@code contracts} (name to address) and {@code keeper-version}. Values are strings or maps of
     * strings, and never a secret. The default is none.
     */
    default Map<String, Object> serviceInfo() {
        return Map.of();
    }

    /** Creates a {@link ServiceAgreementVerifier} from settings; found through ServiceLoader. */
    interface Factory {
        /** {@return the verifier's name, such as {@code keeper} or {@code development}} */
        String name();

        /** {@return the verifier, or empty if the settings do not configure it here} */
        Optional<ServiceAgreementVerifier> create(Settings settings);

        /** {@return the selection priority when several are configured; higher wins} */
        default int priority() {
            return 0;
        }

        /** {@return the settings this factory understands} */
        default List<SettingKey> settingKeys() {
            return List.of();
        }
    }
}
