package io.brizo.spring.boot;

import io.brizo.Brizo;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code brizo} Actuator health indicator (Spring Boot 4's health API), with the facade's
 * storage drivers, verifier reachability and compute backend; off with {@code
 * management.health.brizo.enabled=false}.
 */
@AutoConfiguration(after = BrizoAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Brizo.class)
@ConditionalOnEnabledHealthIndicator("brizo")
public class BrizoHealthAutoConfiguration {
    /** {@return the health indicator named {@code brizo}} */
    @Bean
    @ConditionalOnMissingBean(name = "brizoHealthIndicator")
    public HealthIndicator brizoHealthIndicator(Brizo brizo) {
        return new BrizoHealthIndicator(brizo);
    }
}
