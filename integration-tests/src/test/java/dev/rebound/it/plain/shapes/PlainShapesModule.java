package dev.rebound.it.plain.shapes;

import com.google.inject.AbstractModule;
import com.google.inject.TypeLiteral;
import com.google.inject.name.Names;

/** Binds every shape that Guice can construct, including those the test can't name. */
public final class PlainShapesModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(PlainShapes.Flaky.class).annotatedWith(Names.named("package-private top-level")).to(PackagePrivatePlain.class);
        bind(PlainShapes.Flaky.class).annotatedWith(Names.named("package-private static nested")).to(PlainShapes.PackageNested.class);
        bind(PlainShapes.Flaky.class).annotatedWith(Names.named("public static nested")).to(PlainShapes.PublicNested.class);
        bind(new TypeLiteral<PlainShapes.Handler<String>>() { }).to(PlainShapes.EventHandler.class);
    }
}
