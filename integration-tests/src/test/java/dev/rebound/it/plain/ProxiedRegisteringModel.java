package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import dev.rebound.runtime.Rebound;
import dev.rebound.runtime.spi.ContainerInterception;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.aop.framework.ProxyFactory;

/**
 * Compiled by javac alone (Guice's door). Its constructor hands a Spring JDK proxy of itself, by its interface alone
 * (as {@code @EnableTransactionManagement} proxies a bean), to a registry that makes what it gets resilient ({@code
 * Rebound.wrap}, which returns an object that applies its policies already as it is): before Guice's provision ends,
 * so before ReboundModule marks the instance. Used by one test only, so that its first instance is the first of its
 * class: no instance of Guice's subclass is marked yet when the registry asks.
 */
public class ProxiedRegisteringModel implements GuiceReach.Model {

    /** Attempts of {@link #chat} on any instance. */
    public static final AtomicInteger CALLS = new AtomicInteger();
    /** Whether some instance of the instance's class was marked when its constructor ran. */
    public static volatile boolean classMarkedWhileMade;
    /** What {@code Rebound.isResilient} said of the proxy in the constructor of the last instance made. */
    public static volatile boolean proxyResilientWhileMade;
    /** The proxy the last instance made of itself. */
    public static volatile GuiceReach.Model proxy;
    /** What the registry made of that proxy. */
    public static volatile GuiceReach.Model registered;

    @Inject
    public ProxiedRegisteringModel() {
        classMarkedWhileMade = ContainerInterception.intercepts(getClass());
        ProxyFactory factory = new ProxyFactory(this);
        factory.setInterfaces(GuiceReach.Model.class);
        factory.addAdvice((org.aopalliance.intercept.MethodInterceptor) invocation -> invocation.proceed());
        proxy = (GuiceReach.Model) factory.getProxy();
        proxyResilientWhileMade = Rebound.isResilient(proxy);
        registered = Rebound.wrap(GuiceReach.Model.class, proxy).build();
    }

    @Override
    @Retry(attempts = 3, delay = 0)
    public String chat(String prompt) {
        throw new IllegalStateException("down " + CALLS.incrementAndGet());
    }
}
