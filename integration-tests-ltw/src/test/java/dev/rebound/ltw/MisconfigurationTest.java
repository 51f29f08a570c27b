package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.ltw.app.Chat;
import dev.rebound.ltw.app.Misplaced;
import dev.rebound.runtime.ReboundConfigurationException;
import org.junit.jupiter.api.Test;

/** Under the agent, bad annotations are reported when the class loads or initialises, never on a call. */
class MisconfigurationTest {

    @Test
    void aMisconfiguredClassFailsItsInitialisationNamingMethodAndAttribute() {
        Throwable thrown = catchThrowable(Chat.OutOfRange::new);

        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems())
                .containsExactly("Chat.chat(String): @Retry.attempts = 101 is outside 1..100");
    }

    @Test
    void anAnnotationOnANonPublicMethodIsAWeavingErrorNamingTheMethod() {
        new Misplaced();

        assertThat(WeaveLog.messages()).anyMatch(m -> m.startsWith("Rebound: @Retry")
                && m.endsWith(" apply to public methods only (java.lang.String dev.rebound.ltw.app.Misplaced.hidden())"));
    }
}
