package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.it.llm.FakeLlm;
import dev.rebound.it.seed.OneModel;
import dev.rebound.runtime.ReboundConfigurationException;
import dev.rebound.ltw.app.LibraryBacked;
import dev.rebound.ltw.app.Models;
import dev.rebound.ltw.lib.LibraryModel;
import dev.rebound.ltw.lib.Unlisted;
import org.junit.jupiter.api.Test;

/** Under the agent, with src/test/narrow/META-INF/aop.xml on the class path: only dev.rebound.ltw.app..* is woven. */
class NarrowScopeTest extends VirtualClock {

    @Test
    void theIncludedPackageIsWoven() {
        FakeLlm.failFirst("gpt-4", 2);

        String answer = new Models.Gpt4().invoke("q");

        assertThat(woven(Models.Gpt4.class)).isTrue();
        assertThat(answer).isEqualTo("gpt-4: q");
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void aPackageLeftOutStaysPlainItsAnnotationUnapplied() {
        FakeLlm.failFirst("unlisted", 1);

        Throwable thrown = catchThrowable(() -> new Unlisted().fetch("q"));

        assertThat(woven(Unlisted.class)).isFalse();
        assertThat(thrown).isSameAs(FakeLlm.thrown().get(0));
        assertThat(FakeLlm.calls()).containsExactly("unlisted #1");
    }

    @Test
    void classesAjcWoveOutsideTheScopeKeepTheirBuildTimeWeaving() {
        FakeLlm.failFirst("gpt-4", 2);

        new OneModel.Gpt4().invoke("q");

        assertThat(WeaveLog.rewove(OneModel.Gpt4.class)).isFalse();
        assertThat(FakeLlm.calls()).containsExactly("gpt-4 #1", "gpt-4 #2", "gpt-4 #3");
    }

    @Test
    void aClassInheritingItsBodyFromAnAbstractClassLeftOutFailsItsInitialisationNamingTheFix() {
        Throwable thrown = catchThrowable(LibraryBacked::new);

        assertThat(woven(LibraryBacked.class)).isTrue();
        assertThat(WeaveLog.wove(LibraryModel.class.getName())).isFalse();
        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems()).containsExactly(
                "Chat.chat(String): LibraryBacked runs LibraryModel.chat, which was not woven (LibraryModel was "
                + "compiled or loaded without Rebound's aspect: a library's class built by javac, or one outside "
                + "the load-time weaving scope), so its @Retry, @Fallback would not apply; override chat in "
                + "LibraryBacked (calling super)");
        assertThat(FakeLlm.calls()).isEmpty();
    }
}
