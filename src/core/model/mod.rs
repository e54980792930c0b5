//! What tagdesk knows of both services (filled in below).
