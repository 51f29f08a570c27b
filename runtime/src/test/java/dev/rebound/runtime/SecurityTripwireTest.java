package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Security: alternatives are only ever the classes named in annotations or passed to the builder.
 * No class is loaded by a name read from configuration, and the only configuration Rebound reads is
 * one boolean. Every use of a class-loading or configuration-reading API in the main sources must
 * appear in the reviewed list below: a new one fails this test until it is reviewed and listed.
 */
class SecurityTripwireTest {

    /** APIs that turn strings into classes or read configuration from outside the code. */
    static final Pattern SENSITIVE = Pattern.compile(
            "Class\\.forName|\\.loadClass\\(|findClass\\(|ServiceLoader|System\\.getProperty|System\\.getenv"
                    + "|Integer\\.getInteger|Long\\.getLong|Boolean\\.getBoolean|\\.newInstance\\(");

    /** Reviewed uses: file name and the exact trimmed line. */
    static final List<String> REVIEWED = List.of(
            // langchain4j's exception families, by constant name (langchain4j is optional)
            "Classifier.java: return Class.forName(name, false, Classifier.class.getClassLoader());",
            // whether langchain4j's AiServices (optional) are there, by the constant name of their Result
            "ChatResults.java: Class.forName(\"dev.langchain4j.service.Result\", false, "
                    + "ChatResults.class.getClassLoader());",
            // the one configuration switch: silences a warning (of every door), changes no policy
            "MethodChecks.java: if (warning == null || !Boolean.parseBoolean(System.getProperty("
                    + "FallbackRules.WARN_WITHOUT_RETRY, \"true\"))) {",
            // instantiates a class named in @Fallback(to = ...), checked against the interface first
            "DefaultAlternativeResolver.java: return c.newInstance();",
            // instantiates a class named in @Retry/@Fallback(onResult = ...) or @Fallback(handler = ...),
            // checked against Predicate / FallbackHandler and for a public no-arg constructor first
            "ResultAndHandlerRules.java: return contract.cast(type.getConstructor().newInstance());",
            // the type a ready-made result predicate reads (ResultPredicateRules' constant table: langchain4j's
            // ChatResponse), loaded uninitialised through that predicate's class loader to compare with a result
            "ResultAndHandlerRules.java: : Class.forName(judgedName, false, type.getClassLoader());",
            // Rebound.wrap's generated class: a fixed name derived from the wrapped interface's (Name$$Rebound),
            // loaded through that interface's class loader, used only if it is a GeneratedWrapper implementing it
            "GeneratedWrappers.java: found = check(type, Class.forName(name, false, type.getClassLoader()));",
            "GeneratedWrappers.java: return type.cast(found.constructor.newInstance(target, name, ordered));",
            // ReboundModule's interceptor: Guice 7's invocation class, a constant name, loaded uninitialised through
            // Guice's own class loader to read the call of the superclass method (weaver's guice.SuperCalls)
            "SuperCalls.java: Class<?> invocation = Class.forName(INVOCATION, false, guice);");

    /** The only names Classifier loads: constants naming langchain4j exception classes. */
    static final Pattern CLASSIFIER_LOAD = Pattern.compile("load\\(([^)]*)\\)");

    static List<Path> mainSources() throws IOException {
        List<Path> roots = new ArrayList<>();
        for (String module : List.of("../annotations", ".", "../weaver")) {
            Path root = Path.of(module, "src", "main", "java");
            if (Files.isDirectory(root)) {
                roots.add(root);
            }
        }
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".java")).forEach(files::add);
            }
        }
        return files;
    }

    @Test
    void everyClassLoadingOrConfigurationReadingCallIsAReviewedOne() throws IOException {
        List<Path> files = mainSources();
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            for (String line : Files.readAllLines(file)) {
                if (SENSITIVE.matcher(line).find() && !line.trim().startsWith("*") && !line.trim().startsWith("//")) {
                    found.add(file.getFileName() + ": " + line.trim());
                }
            }
        }

        assertThat(files).hasSizeGreaterThan(20);
        assertThat(found).containsExactlyInAnyOrderElementsOf(REVIEWED);
    }

    @Test
    void theClassifierLoadsOnlyConstantLangchain4jNames() throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/rebound/runtime/internal/Classifier.java"));
        var m = CLASSIFIER_LOAD.matcher(source);
        List<String> arguments = new ArrayList<>();
        while (m.find()) {
            arguments.add(m.group(1));
        }

        assertThat(arguments).isNotEmpty().allMatch(a -> a.matches("\"dev\\.langchain4j\\.[\\w.]+\"")
                || a.equals("String name"));
    }
}
