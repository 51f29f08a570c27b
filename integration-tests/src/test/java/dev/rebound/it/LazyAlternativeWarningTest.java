package dev.rebound.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Inject;
import dev.rebound.annotations.Fallback;
import dev.rebound.runtime.ReboundSettings;
import dev.rebound.weaver.guice.ReboundModule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A woven class that Guice's ReboundModule intercepts, whose alternative has an {@code @Inject}
 * constructor: an instance made outside the injector asks the global resolver at its first fallback
 * (WovenPolicies' lazy path). The policy keeps that resolver's instance (a reviewer's reproduction), and a
 * later setGlobal says so, whatever the collector did in between.
 */
class LazyAlternativeWarningTest extends VirtualTime {

    public interface Asking {
        String ask(String q);
    }

    public static class Dependency {
    }

    public static class InjectedBackup implements Asking {
        private final String from;

        @Inject
        public InjectedBackup(Dependency d) {
            this("the injector");
        }

        InjectedBackup(String from) {
            this.from = from;
        }

        @Override
        public String ask(String q) {
            return "backup from " + from;
        }
    }

    /** Woven; Guice hears it before it is initialised. */
    public static class LazyPrimary implements Asking {
        @Override
        @Fallback(to = InjectedBackup.class)
        public String ask(String q) {
            throw new IllegalStateException("down");
        }
    }

    @Test
    void aResolverReplacedAfterTheLazyPathMadeAnAlternativeIsSaidNotToBeAsked() {
        Asking viaGuice = Guice.createInjector(new ReboundModule(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Asking.class).to(LazyPrimary.class);
            }
        }).getInstance(Asking.class);
        assertThat(viaGuice.ask("q")).isEqualTo("backup from the injector");

        List<Class<?>> asked = new ArrayList<>();
        ReboundSettings.setGlobal(ReboundSettings.global().toBuilder().alternatives(type -> {
            asked.add(type);
            return new InjectedBackup("the first resolver");
        }).build());
        Asking outside = new LazyPrimary();
        assertThat(outside.ask("q")).isEqualTo("backup from the first resolver");
        for (int i = 0; i < 5; i++) {
            System.gc();
        }

        String log = StdErr.during(() -> ReboundSettings.setGlobal(ReboundSettings.global().toBuilder()
                .alternatives(type -> new InjectedBackup("the second resolver")).build()));

        assertThat(outside.ask("q")).isEqualTo("backup from the first resolver");
        assertThat(asked).containsExactly(InjectedBackup.class);
        assertThat(StdErr.count(log, "WARN dev.rebound - ReboundSettings.setGlobal: the new settings' alternatives"
                + " resolver is not asked for the alternatives the previous one made for policies resolved before ("
                + InjectedBackup.class.getName() + "): those policies keep them.")).isEqualTo(1L);
    }
}
