package dev.rebound.ltw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.rebound.ltw.app.Models;
import dev.rebound.runtime.ReboundConfigurationException;
import org.junit.jupiter.api.Test;

/**
 * Under the agent, with src/test/missing-aspect/aop.xml as the whole configuration: it names
 * ResilientMethods and Recovery but not ResilientClasses, which applies the policies of a class's
 * methods. A woven class fails its initialisation, naming the aspect to declare, instead of running
 * its methods without their policies.
 */
class MissingAspectTest {

    @Test
    void aClassWovenWithoutThePerClassAspectFailsItsInitialisationNamingIt() {
        Throwable thrown = catchThrowable(Models.Gpt4::new);

        assertThat(thrown).isInstanceOf(ExceptionInInitializerError.class);
        assertThat(((ReboundConfigurationException) thrown.getCause()).problems()).containsExactly(
                "dev.rebound.ltw.app.Models$Gpt4 was woven without the aspect "
                        + "dev.rebound.weaver.aspectj.ResilientClasses, which applies the policies of a class's "
                        + "methods: declare it beside ResilientMethods and Recovery (in your aop.xml's <aspects>)");
    }
}
