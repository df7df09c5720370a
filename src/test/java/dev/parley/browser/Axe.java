package dev.parley.browser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * axe-core, the accessibility engine, run inside the page under test. Its script comes from the
 * npm package pinned in .ci/axe (installed by {@code npm ci --prefix .ci/axe}), never from a CDN,
 * and is injected by WebDriver, so the page's own Content-Security-Policy stays untouched.
 */
final class Axe {
    private static final Path SCRIPT = Path.of(".ci", "axe", "node_modules", "axe-core", "axe.min.js");

    private Axe() {
    }

    /** Skips when the package is not installed, unless CI asks for it (-Dparley.requireExternal=true): then fails. */
    static String script() {
        if (!Files.isReadable(SCRIPT)) {
            String why = "accessibility tests need axe-core: npm ci --prefix .ci/axe";
            if (Boolean.getBoolean("parley.requireExternal")) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        try {
            return Files.readString(SCRIPT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The serious and critical violations on the page as it is now: "rule: selector, …" per rule. */
    @SuppressWarnings("unchecked")
    static List<String> seriousViolations(Browser browser, String script) {
        browser.driver().executeScript(script);
        return (List<String>) browser.driver().executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations
                    .filter(v => v.impact === 'serious' || v.impact === 'critical')
                    .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ') + ' (' + n.failureSummary.replace(/\s+/g, ' ') + ')').join(', '))),
                  e => done(['axe failed: ' + e]));""");
    }
}
