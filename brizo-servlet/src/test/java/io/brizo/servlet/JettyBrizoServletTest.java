package io.brizo.servlet;

/** What is particular to the servlet binding, in embedded Jetty 12 (ee10). */
class JettyBrizoServletTest extends BrizoServletTestBase {
    JettyBrizoServletTest() {
        super(Container.JETTY);
    }
}
