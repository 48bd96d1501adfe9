"""Pages of the people who run and follow a project, one module per audience: the organisation
(``portal``, /portal/projects/…), its supervisor (``supervision``, /supervision/…) and its third-party evaluator
(``evaluation``, /evaluation/…); ``common`` holds what they share (the evidence on
every record among it), ``files`` the download of evidence, ``incubator.projects.forms`` their forms and
``incubator.projects.urls`` their URLs.

Each page finds the project among those the signed-in person may see in that role (404 otherwise, never a
hint), and every change goes through ``incubator.projects.services``, which checks again. A refused form is
shown again with every problem and the values as typed; nothing is written.
"""
