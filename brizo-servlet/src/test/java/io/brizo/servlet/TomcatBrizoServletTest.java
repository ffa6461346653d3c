package io.brizo.servlet;

/** What is particular to the servlet binding, in embedded Tomcat 11. */
class TomcatBrizoServletTest extends BrizoServletTestBase {
    TomcatBrizoServletTest() {
        super(Container.TOMCAT);
    }
}
