package io.brizo.servlet;

/** The HTTP binding contract for the servlet in Jetty, mapped to {@code /*} at the root. */
class JettyHttpBindingContractTest extends ServletHttpBindingContractTest {
    JettyHttpBindingContractTest() {
        super(Container.JETTY, "", "/*");
    }
}
