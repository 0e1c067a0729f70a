package dev.tresor.kms.rest;

import dev.tresor.kms.service.KmsError;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.regex.Pattern;

/** Checks path parameters before any work: ids are UUIDs (answered in lower case), versions positive. */
final class PathParams {
    private static final Pattern UUID =
            Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private PathParams() {
    }

    static String uuid(RoutingContext ctx, String name) {
        return uuid(ctx.pathParam(name), "path parameter '" + name + "'");
    }

    static String uuid(String value, String what) {
        if (value == null || !UUID.matcher(value).matches()) {
            throw KmsError.invalid(what + " must be a UUID");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /** Version numbers start at 1; 0 is not a way to name the primary version over REST. */
    static long versionNumber(RoutingContext ctx) {
        String value = ctx.pathParam("versionNumber");
        try {
            long number = Long.parseLong(value);
            if (number >= 1) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below, like a non-positive number
        }
        throw KmsError.invalid("path parameter 'versionNumber' must be a positive integer");
    }
}
