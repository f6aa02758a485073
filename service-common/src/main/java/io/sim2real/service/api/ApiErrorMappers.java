package io.sim2real.service.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns bad requests into 4xx answers with an {@link ApiError} body instead of a stack trace. */
public class ApiErrorMappers {

    @ServerExceptionMapper
    public Response badRequest(BadRequestException e) {
        return error(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response unreadableBody(JsonProcessingException e) {
        return error(400, "request body is not valid JSON for this endpoint: " + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return error(404, e.getMessage());
    }

    private static Response error(int status, String message) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(new ApiError(status, message)).build();
    }
}
