//! Request authentication (SPEC §2.3): [`AuthValidationService`] with [`AuthMode`], typed
//! [`AuthError`]s, and the axum/tower integration ([`AuthLayer`], [`AuthContext`]).

mod layer;
mod validation;

#[cfg(test)]
mod tests;

pub use layer::{AuthContext, AuthLayer, AuthMiddleware};
pub use validation::{
    effective_user_type, user_type_within, AuthError, AuthMode, AuthValidationService,
};
