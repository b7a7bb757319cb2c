"""FusionAuth's OAuth 2.0 / OpenID Connect endpoints (the protocol side; the hosted pages are in ../web/).

authorize.py validates /oauth2/authorize parameters (AuthorizeRequest / AuthorizeError), codes.py issues and
redeems authorization codes, sso.py keeps FusionAuth's SSO session (cookie `fusionauth.sso`), claims.py builds
and signs access and id tokens, token.py serves /oauth2/token, and userinfo.py, introspect.py, logout.py,
discovery.py the other endpoints. endpoints.py joins their handlers for routes.py.
"""
