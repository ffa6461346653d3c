package io.brizo.spring.boot;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks the values of secret {@code brizo.*} properties ({@code brizo.provider.key}, {@code
 * brizo.keeper.url}, {@code brizo.azure.account-key}, ...) wherever Actuator shows values (the
 * {@code env} and {@code configprops} endpoints with {@code show-values} on), however the property
 * source spells the name.
 */
final class BrizoSanitizingFunction implements SanitizingFunction {
    private final BrizoSettingNames names;

    BrizoSanitizingFunction(BrizoSettingNames names) {
        this.names = names;
    }

    @Override
    public SanitizableData apply(SanitizableData data) {
        String key = data.getKey();
        return key != null && names.isSecretProperty(key) ? data.withSanitizedValue() : data;
    }
}
