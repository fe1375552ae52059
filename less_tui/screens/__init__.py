"""One module per screen; screens are thin and ask ``MeetingService`` for everything."""
