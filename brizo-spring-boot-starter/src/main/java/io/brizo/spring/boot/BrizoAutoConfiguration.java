package io.brizo.spring.boot;

import io.brizo.Brizo;
import io.brizo.auth.LinkLedger;
import io.brizo.auth.NonceStore;
import io.brizo.http.BrizoHttpApi;
import io.brizo.metrics.BrizoMetrics;
import io.brizo.metrics.MicrometerBinding;
import io.brizo.servlet.BrizoServlet;
import io.brizo.spi.AssetResolver;
import io.brizo.spi.BrizoException;
import io.brizo.spi.ComputeBackend;
import io.brizo.spi.ErrorKind;
import io.brizo.spi.ServiceAgreementVerifier;
import io.brizo.spi.SettingKey;
import io.brizo.spi.Settings;
import io.brizo.spi.StorageDriver;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/**
 * Auto-configuration of Brizo in a Spring Boot application: a {@link Brizo} facade built by
 * discovery from the {@code brizo.*} properties, with the application's own {@link
 * StorageDriver}, {@link ServiceAgreementVerifier}, {@link AssetResolver}, {@link NonceStore}, {@link
 * LinkLedger} and {@link ComputeBackend} beans asked first; its HTTP API mounted through the servlet binding at
 * {@code brizo.http.base-path}; metrics in the application's {@code MeterRegistry}; an Actuator
 * health indicator; CORS from {@code brizo.http.cors.*}. Every bean backs off when the application
 * defines its own. Off with {@code brizo.enabled=false}.
 */
@AutoConfiguration
@ConditionalOnClass(BrizoServlet.class)
@ConditionalOnBooleanProperty(name = "brizo.enabled", matchIfMissing = true)
@EnableConfigurationProperties(BrizoProperties.class)
public class BrizoAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(BrizoAutoConfiguration.class);

    /** {@return the names of the settings the modules on the application's class path declare} */
    @Bean
    @ConditionalOnMissingBean
    public BrizoSettingNames brizoSettingNames(ApplicationContext context) {
        return BrizoSettingNames.of(classLoader(context));
    }

    /**
     * {@return the library's settings from the {@code brizo.*} properties}
     *
     * @throws BrizoException of kind CONFIGURATION for a property that names no setting
     */
    @Bean
    @ConditionalOnMissingBean
    public Settings brizoSettings(ConfigurableEnvironment environment, BrizoSettingNames names) {
        return SpringSettings.read(environment, names);
    }

    /**
     * {@return the facade, closed with the context after the web server stopped} The application's
     * beans are handed over explicitly, so they win over what discovery finds; the facade does not
     * close them (the context does).
     */
    @Bean
    @ConditionalOnMissingBean
    public Brizo brizo(
            Settings brizoSettings,
            BrizoSettingNames names,
            ApplicationContext context,
            ObjectProvider<StorageDriver> storageDrivers,
            ObjectProvider<ServiceAgreementVerifier> verifier,
            ObjectProvider<AssetResolver> assetResolver,
            ObjectProvider<NonceStore> nonceStore,
            ObjectProvider<LinkLedger> linkLedger,
            ObjectProvider<ComputeBackend> computeBackend,
            ObjectProvider<BrizoMetrics> metrics) {
        Brizo.Builder builder = Brizo.builder().settings(brizoSettings);
        storageDrivers.orderedStream().forEach(builder::storageDriver);
        verifier.ifAvailable(builder::verifier);
        assetResolver.ifAvailable(builder::assetResolver);
        nonceStore.ifAvailable(builder::nonceStore);
        linkLedger.ifAvailable(builder::linkLedger);
        computeBackend.ifAvailable(builder::computeBackend);
        metrics.ifAvailable(builder::metrics);
        try {
            return builder.discover(classLoader(context)).build();
        } catch (BrizoException e) {
            if (e.kind() != ErrorKind.CONFIGURATION) {
                throw e;
            }
            throw BrizoException.configuration(e.getMessage() + propertyHint(e.getMessage(), names));
        }
    }

    /** {@return the API over the facade} */
    @Bean
    @ConditionalOnMissingBean
    public BrizoHttpApi brizoHttpApi(Brizo brizo) {
        return new BrizoHttpApi(brizo);
    }

    /** Tells which {@code brizo.*} property sets each library setting a message names. */
    private static String propertyHint(String message, BrizoSettingNames names) {
        List<String> hints = new ArrayList<>();
        for (SettingKey key : names.settings()) {
            if (message.matches("(?s).*\\b" + key.name() + "\\b.*")) {
                hints.add(key.name() + " is the property " + BrizoSettingNames.propertyName(key));
            }
        }
        return hints.isEmpty() || hints.size() > 5 ? "" : " (" + String.join(", ", hints) + ")";
    }

    private static ClassLoader classLoader(ApplicationContext context) {
        ClassLoader loader = context.getClassLoader();
        return loader != null ? loader : BrizoAutoConfiguration.class.getClassLoader();
    }

    /** The API in the application's servlet container. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(Servlet.class)
    static class ServletApi {
        /**
         * {@return the servlet binding at {@code brizo.http.base-path}, with async support so slow
         * consumers hold no container thread}
         */
        @Bean
        @ConditionalOnMissingBean(name = "brizoServlet")
        ServletRegistrationBean<BrizoServlet> brizoServlet(BrizoHttpApi api, BrizoProperties properties) {
            String base = MountedBrizoServlet.validBasePath(properties.getHttp().getBasePath());
            ServletRegistrationBean<BrizoServlet> registration = new ServletRegistrationBean<>(
                    new MountedBrizoServlet(api, base), MountedBrizoServlet.mapping(base));
            registration.setName("brizo");
            registration.setAsyncSupported(true);
            LOG.info("Brizo API at {}/ (consume: {}/services/consume)", base, base);
            return registration;
        }

        /** {@return the guard that keeps an aborted download away from the error page} */
        @Bean
        @ConditionalOnMissingBean(name = "brizoQuietAbortFilter")
        FilterRegistrationBean<QuietAbortFilter> brizoQuietAbortFilter() {
            FilterRegistrationBean<QuietAbortFilter> registration =
                    new FilterRegistrationBean<>(new QuietAbortFilter());
            registration.setName("brizoQuietAbort");
            // A committed response's error page is included (INCLUDE), an uncommitted one forwarded (ERROR).
            registration.setDispatcherTypes(DispatcherType.ERROR, DispatcherType.INCLUDE);
            registration.addUrlPatterns("/*");
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
            registration.setAsyncSupported(true);
            return registration;
        }
    }

    /** CORS for the API, from {@code brizo.http.cors.*}: Spring MVC's own CORS settings do not reach a servlet. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass({CorsFilter.class, Servlet.class})
    static class Cors {
        /** {@return the CORS filter in front of the API; disabled while no origin is allowed} */
        @Bean
        @ConditionalOnMissingBean(name = "brizoCorsFilter")
        FilterRegistrationBean<CorsFilter> brizoCorsFilter(BrizoProperties properties) {
            BrizoProperties.Cors cors = properties.getHttp().getCors();
            CorsConfiguration config = new CorsConfiguration();
            config.setAllowedOrigins(cors.getAllowedOrigins());
            config.setAllowedMethods(cors.getAllowedMethods());
            config.setAllowedHeaders(cors.getAllowedHeaders());
            config.setExposedHeaders(cors.getExposedHeaders());
            config.setAllowCredentials(cors.isAllowCredentials());
            config.setMaxAge(cors.getMaxAge());
            UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
            source.registerCorsConfiguration("/**", config);
            CorsFilter filter = new CorsFilter(source);
            filter.setCorsProcessor(new JsonCorsProcessor());
            FilterRegistrationBean<CorsFilter> registration = new FilterRegistrationBean<>(filter);
            registration.setName("brizoCors");
            String base = MountedBrizoServlet.validBasePath(properties.getHttp().getBasePath());
            registration.addUrlPatterns(MountedBrizoServlet.mapping(base));
            registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 10);
            registration.setAsyncSupported(true);
            registration.setEnabled(!cors.getAllowedOrigins().isEmpty());
            return registration;
        }
    }

    /** Brizo's meters in the application's {@code MeterRegistry}: the same meters as {@code serve}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static class Metrics {
        /** {@return metrics in the application's registry, or none if it has none} */
        @Bean
        @ConditionalOnMissingBean
        BrizoMetrics brizoMetrics(ObjectProvider<MeterRegistry> registry) {
            MeterRegistry r = registry.getIfAvailable();
            return r == null ? BrizoMetrics.none() : MicrometerBinding.of(r);
        }
    }

    /** Masks secret {@code brizo.*} values in Actuator's {@code env} and {@code configprops}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(SanitizingFunction.class)
    static class Sanitizing {
        @Bean
        @ConditionalOnMissingBean(name = "brizoSanitizingFunction")
        SanitizingFunction brizoSanitizingFunction(BrizoSettingNames names) {
            return new BrizoSanitizingFunction(names);
        }
    }
}
