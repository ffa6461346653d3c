package io.brizo.internal.verifier;

import io.brizo.internal.CoreSettings;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Makes the development verifier when {@code BRIZO_GRANTS} names a grants file. */
public final class DevelopmentAgreementVerifierFactory implements ServiceAgreementVerifier.Factory {
    /** The grants file setting. */
    public static final SettingKey GRANTS = SettingKey.of(
            "BRIZO_GRANTS",
            null,
            "JSON file of development grants; enables the development verifier (never for production)");

    /** Creates the factory; called by ServiceLoader. */
    public DevelopmentAgreementVerifierFactory() {}

    @Override
    public String name() {
        return "development";
    }

    @Override
    public Optional<ServiceAgreementVerifier> create(Settings settings) {
        return settings.getPath(GRANTS.name())
                .map(p ->
                        new DevelopmentAgreementVerifier(p, Clock.systemUTC(), CoreSettings.reloadInterval(settings)));
    }

    /** {@return -10, so an on-chain verifier wins when both are configured} */
    @Override
    public int priority() {
        return -10;
    }

    @Override
    public List<SettingKey> settingKeys() {
        return List.of(GRANTS);
    }
}
