//! vspan-api
