package io.brizo.spring.boot;

import io.brizo.spi.BrizoException;
import io.brizo.spi.ErrorKind;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a Brizo configuration error at start into Spring Boot's "APPLICATION FAILED TO START"
 * report: the library's message (which names the setting and never shows a secret value) and what
 * to do, instead of a stack trace.
 */
final class BrizoFailureAnalyzer extends AbstractFailureAnalyzer<BrizoException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, BrizoException cause) {
        if (cause.kind() != ErrorKind.CONFIGURATION) {
            return null;
        }
        return new FailureAnalysis(
                "Brizo is not configured correctly: " + cause.getMessage(),
                "Fix the brizo.* properties named above (application.yml or .properties, or environment variables"
                        + " BRIZO_...); the brizo-spring-boot-starter README lists every property with its default,"
                        + " or set brizo.enabled=false to turn Brizo off.",
                cause);
    }
}
