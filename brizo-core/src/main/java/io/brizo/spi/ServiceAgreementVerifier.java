package io.brizo.spi;

import java.util.List;
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
